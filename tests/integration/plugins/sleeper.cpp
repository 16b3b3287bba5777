#include <chrono>
#include <string>
#include <thread>

#include <Poco/StreamCopier.h>

#include <valhalla/sdk/sdk.hpp>

namespace {

int intParameter(valhalla::sdk::RequestContext& request, const char* name, int fallback) {
    auto value = request.queryParameter(name);
    return value ? std::stoi(*value) : fallback;
}

/// Routes with controllable timing and sizes, for tests of the connection layer.
class SleeperPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        auto& router = context.router();
        router.get("/test/sleep", [](valhalla::sdk::RequestContext& request) {
            int milliseconds = intParameter(request, "ms", 1000);
            std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
            Poco::JSON::Object body;
            body.set("slept_ms", milliseconds);
            valhalla::sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
        router.get("/test/big", [](valhalla::sdk::RequestContext& request) {
            std::string payload(static_cast<std::size_t>(intParameter(request, "kb", 1024)) * 1024, 'x');
            request.response().setContentType("text/plain");
            request.response().sendBuffer(payload.data(), payload.size());
        });
        router.post("/test/ignore-body", [](valhalla::sdk::RequestContext& request) {
            Poco::JSON::Object body;
            body.set("read", false);
            valhalla::sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
        router.post("/test/body-size", [](valhalla::sdk::RequestContext& request) {
            std::string text;
            Poco::StreamCopier::copyToString(request.request().stream(), text);
            if (request.request().stream().bad()) {
                throw valhalla::sdk::HttpError(400, "the request body could not be read");
            }
            Poco::JSON::Object body;
            body.set("bytes", text.size());
            valhalla::sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
    }
};

}  // namespace

VALHALLA_PLUGIN(SleeperPlugin, "sleeper", "1.0.0")
