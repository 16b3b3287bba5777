#include <cstdlib>

#include <valhalla/sdk/sdk.hpp>

namespace {

/// Aborts the process that starts it (SIGABRT), for tests of worker crash handling.
class CrashOnStartPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext&) override { std::abort(); }
};

}  // namespace

VALHALLA_PLUGIN(CrashOnStartPlugin, "crash_on_start", "1.0.0")
