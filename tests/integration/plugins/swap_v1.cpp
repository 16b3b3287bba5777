#include <Poco/JSON/Object.h>

#include <valhalla/sdk/sdk.hpp>

namespace {

/// Version 1 of the plugin `swap`. Tests replace one version's file with the other's
/// and watch `GET /test/swap` change.
class SwapPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        context.router().get("/test/swap", [](valhalla::sdk::RequestContext& request) {
            Poco::JSON::Object body;
            body.set("version", "1");
            valhalla::sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
    }
};

}  // namespace

VALHALLA_PLUGIN(SwapPlugin, "swap", "1.0.0")
