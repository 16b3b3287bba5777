#include <stdexcept>

#include <valhalla/sdk/sdk.hpp>

namespace {

/// Registers a route, then fails its start; the host must remove the route.
class StartThrowsPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        context.router().get("/test/start-throws", [](valhalla::sdk::RequestContext&) {});
        throw std::runtime_error("deliberate failure in start");
    }
};

}  // namespace

VALHALLA_PLUGIN(StartThrowsPlugin, "start_throws", "1.0.0")
