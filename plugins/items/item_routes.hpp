#pragma once

#include <cstdint>
#include <memory>

#include <spdlog/logger.h>

#include <valhalla/sdk/database.hpp>
#include <valhalla/sdk/request_context.hpp>
#include <valhalla/sdk/router.hpp>

#include "item_database.hpp"
#include "items_config.hpp"

namespace valhalla::plugins::items {

/// Collection path of the items resource. One item is at `kItemsPath/{id}`.
inline constexpr const char* kItemsPath = "/api/v1/items";

/// The handlers of the items resource. Handlers run concurrently on request threads
/// and share only the thread-safe ItemDatabase.
class ItemRoutes {
public:
    ItemRoutes(sdk::Database& database,
               const ItemsConfig& config,
               std::shared_ptr<spdlog::logger> logger);

    /// Tries to create the table, as ItemDatabase::createTableAtStart() describes.
    void createTableAtStart() { database_.createTableAtStart(); }

    /// Registers POST and GET on the collection and GET, PUT, PATCH and DELETE on one
    /// item. The handlers refer to this object, which must outlive them.
    void registerRoutes(sdk::Router& router);

private:
    void create(sdk::RequestContext& request);
    void read(sdk::RequestContext& request);
    void list(sdk::RequestContext& request);
    void replace(sdk::RequestContext& request);
    void patch(sdk::RequestContext& request);
    void remove(sdk::RequestContext& request);

    ItemDatabase database_;
    std::int64_t max_limit_;
};

}  // namespace valhalla::plugins::items
