#include <valhalla/sdk/sdk.hpp>

namespace {

/// Registers a route under /admin, which belongs to the host.
class ReservedRoutePlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        context.router().get("/admin/takeover", [](valhalla::sdk::RequestContext&) {});
    }
};

}  // namespace

VALHALLA_PLUGIN(ReservedRoutePlugin, "reserved_route", "1.0.0")
