#include <stdexcept>

#include <valhalla/sdk/sdk.hpp>

namespace {

/// Routes whose handlers throw, to check the host's error fence.
class ThrowingPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        auto& router = context.router();
        router.get("/test/throw/std", [](valhalla::sdk::RequestContext&) {
            throw std::runtime_error("deliberate std::runtime_error from a handler");
        });
        router.get("/test/throw/int", [](valhalla::sdk::RequestContext&) { throw 42; });
        router.get("/test/throw/http", [](valhalla::sdk::RequestContext&) {
            throw valhalla::sdk::HttpError(409, "deliberate conflict").withField("name", "taken");
        });
        router.get("/test/empty", [](valhalla::sdk::RequestContext& request) {
            request.response().setStatusAndReason(Poco::Net::HTTPResponse::HTTP_ACCEPTED);
        });
        router.get("/test/echo/{first}/{second}", [](valhalla::sdk::RequestContext& request) {
            Poco::JSON::Object body;
            body.set("first", request.pathParameter("first"));
            body.set("second", request.pathParameter("second"));
            body.set("q", request.queryParameter("q").value_or(""));
            valhalla::sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
    }
};

}  // namespace

VALHALLA_PLUGIN(ThrowingPlugin, "throwing", "1.0.0")
