#include <valhalla/sdk/sdk.hpp>

// Declared but defined nowhere: the library links only because its CMake target
// ignores unresolved symbols.
extern "C" int valhalla_test_function_defined_nowhere();

namespace {

class UnresolvedSymbolPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        context.router().get("/test/unresolved", [](valhalla::sdk::RequestContext&) {
            valhalla_test_function_defined_nowhere();
        });
    }
};

}  // namespace

VALHALLA_PLUGIN(UnresolvedSymbolPlugin, "unresolved_symbol", "1.0.0")
