#include <Poco/JSON/Object.h>

#include <valhalla/sdk/sdk.hpp>

#include <unistd.h>

namespace {

/// Serves `GET /test/pid` with the pid of the worker process that handled it, so a test
/// can tell workers apart.
class PidReporterPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        context.router().get("/test/pid", [](valhalla::sdk::RequestContext& request) {
            Poco::JSON::Object body;
            body.set("pid", static_cast<int>(::getpid()));
            valhalla::sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
    }
};

}  // namespace

VALHALLA_PLUGIN(PidReporterPlugin, "pid_reporter", "1.0.0")
