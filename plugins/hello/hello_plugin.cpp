#include <Poco/JSON/Object.h>

#include <valhalla/sdk/sdk.hpp>

namespace valhalla::plugins::hello {

/// Serves `GET /hello`. The smallest useful plugin and the template for new ones.
class HelloPlugin : public sdk::Plugin {
public:
    std::vector<sdk::ConfigKey> configKeys() const override {
        return {sdk::ConfigKey::makeOptional("message", "hello", "Value of the message field")};
    }

    void start(sdk::PluginContext& context) override {
        message_ = context.config().getString("message");
        context.router().get("/hello", [this](sdk::RequestContext& request) {
            Poco::JSON::Object body;
            body.set("message", message_);
            sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
    }

private:
    std::string message_;
};

}  // namespace valhalla::plugins::hello

VALHALLA_PLUGIN(valhalla::plugins::hello::HelloPlugin, "hello", "1.0.0")
