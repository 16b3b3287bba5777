#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#include <valhalla/sdk/sdk.hpp>

namespace {

/// Fails in the ways a broken plugin can: `GET /test/crash/segv` writes through a
/// null pointer, `/test/crash/abort` calls abort(), `/test/crash/throw-int` throws an
/// int, and `/test/hang` never returns.
class CrasherPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        auto& router = context.router();
        router.get("/test/crash/segv", [](valhalla::sdk::RequestContext&) {
            volatile int* nowhere = nullptr;
            *nowhere = 1;
        });
        router.get("/test/crash/abort", [](valhalla::sdk::RequestContext&) { std::abort(); });
        router.get("/test/crash/throw-int", [](valhalla::sdk::RequestContext&) { throw 42; });
        router.get("/test/hang", [](valhalla::sdk::RequestContext&) {
            for (;;) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        });
    }
};

}  // namespace

VALHALLA_PLUGIN(CrasherPlugin, "crasher", "1.0.0")
