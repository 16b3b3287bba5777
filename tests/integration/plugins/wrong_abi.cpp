#include <cstdlib>
#include <fstream>

#include <valhalla/sdk/sdk.hpp>

namespace {

/// Writes a marker file when the library is loaded, so a test can prove that the
/// host rejected the file before running any of its code.
struct LoadMarker {
    LoadMarker() {
        if (const char* path = std::getenv("VALHALLA_TEST_LOAD_MARKER")) {
            std::ofstream(path) << "wrong_abi code ran\n";
        }
    }
};

LoadMarker marker;

class WrongAbiPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext&) override {}
};

std::shared_ptr<valhalla::sdk::Plugin> createPlugin() {
    return std::make_shared<WrongAbiPlugin>();
}

}  // namespace

// Built as if against SDK ABI version 999.
extern "C" __attribute__((
    used,
    section(".valhalla_abi"),
    visibility("default"))) constexpr valhalla::sdk::AbiDescriptor valhalla_abi_descriptor =
    valhalla::sdk::makeAbiDescriptor("wrong_abi", "1.0.0", 999);

BOOST_DLL_ALIAS(createPlugin, valhalla_create_plugin)
