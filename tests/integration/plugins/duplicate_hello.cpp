#include <valhalla/sdk/sdk.hpp>

namespace {

/// Declares the name of the bundled hello plugin, so the host must reject it.
class DuplicateHelloPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        context.router().get("/test/duplicate", [](valhalla::sdk::RequestContext&) {});
    }
};

}  // namespace

VALHALLA_PLUGIN(DuplicateHelloPlugin, "hello", "9.9.9")
