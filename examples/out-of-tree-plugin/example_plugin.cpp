#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include <valhalla/sdk/sdk.hpp>

namespace example {

namespace sdk = valhalla::sdk;

/// Serves `GET /api/v1/example` with the configured greeting. An optional `name`
/// query parameter is echoed back, so `?name=Ada` adds `"name":"Ada"`.
class ExamplePlugin : public sdk::Plugin {
public:
    std::vector<sdk::ConfigKey> configKeys() const override {
        return {sdk::ConfigKey::makeOptional(
            "greeting", "hello from example", "Value of the greeting field in the response")};
    }

    void start(sdk::PluginContext& context) override {
        // Handlers run concurrently on request threads. These members are written
        // only here, before the first request, and only read afterwards.
        greeting_ = context.config().getString("greeting");
        version_ = context.version();
        context.router().get("/api/v1/example",
                             [this](sdk::RequestContext& request) { serve(request); });
        context.logger()->info("example plugin started greeting=\"{}\"", greeting_);
    }

private:
    void serve(sdk::RequestContext& request) const {
        Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
        body.set("greeting", greeting_);
        body.set("plugin_version", version_);
        if (auto name = request.queryParameter("name")) {
            if (name->empty()) {
                throw sdk::HttpError(422, "query parameter 'name' must not be empty")
                    .withField("name", "must not be empty");
            }
            body.set("name", *name);
        }
        sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
    }

    std::string greeting_;
    std::string version_;
};

}  // namespace example

VALHALLA_PLUGIN(example::ExamplePlugin, "example", "0.1.0")
