#include <valhalla/sdk/sdk.hpp>

namespace {

/// Declares a required configuration key and serves its value.
class NeedsKeyPlugin : public valhalla::sdk::Plugin {
public:
    std::vector<valhalla::sdk::ConfigKey> configKeys() const override {
        return {valhalla::sdk::ConfigKey::makeRequired("api_key", "Key for the test service"),
                valhalla::sdk::ConfigKey::makeOptional("greeting", "hi", "Greeting to send")};
    }

    void start(valhalla::sdk::PluginContext& context) override {
        api_key_ = context.config().getString("api_key");
        greeting_ = context.config().getString("greeting");
        context.router().get("/test/needs-key", [this](valhalla::sdk::RequestContext& request) {
            Poco::JSON::Object body;
            body.set("api_key_length", api_key_.size());
            body.set("greeting", greeting_);
            valhalla::sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
    }

private:
    std::string api_key_;
    std::string greeting_;
};

}  // namespace

VALHALLA_PLUGIN(NeedsKeyPlugin, "needs_key", "1.0.0")
