#include <valhalla/sdk/sdk.hpp>

namespace {

/// Registers GET /hello, which the bundled hello plugin already holds.
class ConflictingRoutePlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        context.router().get("/hello", [](valhalla::sdk::RequestContext&) {});
    }
};

}  // namespace

VALHALLA_PLUGIN(ConflictingRoutePlugin, "conflicting_route", "1.0.0")
