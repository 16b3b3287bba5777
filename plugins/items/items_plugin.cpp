#include <memory>
#include <vector>

#include <valhalla/sdk/sdk.hpp>

#include "item_routes.hpp"
#include "items_config.hpp"

namespace valhalla::plugins::items {

/// Serves the items REST resource under /api/v1/items, stored in MySQL/MariaDB or SQLite
/// through the host's database pool.
class ItemsPlugin : public sdk::Plugin {
public:
    std::vector<sdk::ConfigKey> configKeys() const override { return itemsConfigKeys(); }

    void start(sdk::PluginContext& context) override {
        ItemsConfig config = readItemsConfig(context.config());
        routes_ = std::make_unique<ItemRoutes>(context.database(), config, context.logger());
        routes_->createTableAtStart();
        routes_->registerRoutes(context.router());
        context.logger()->info("items plugin started table={} connector={} max_limit={}",
                               config.table,
                               context.database().connector(),
                               config.max_limit);
    }

private:
    std::unique_ptr<ItemRoutes> routes_;
};

}  // namespace valhalla::plugins::items

VALHALLA_PLUGIN(valhalla::plugins::items::ItemsPlugin, "items", "1.0.0")
