#include <chrono>
#include <thread>

#include <Poco/Data/Session.h>

#include <valhalla/sdk/sdk.hpp>

namespace {

/// Holds a database session for a while, to exhaust small pools in tests.
class PoolHolderPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        auto& database = context.database();
        context.router().get("/test/hold", [&database](valhalla::sdk::RequestContext& request) {
            int milliseconds = std::stoi(request.queryParameter("ms").value_or("1000"));
            auto lease = database.acquire();
            std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
            Poco::JSON::Object body;
            body.set("held_ms", milliseconds);
            valhalla::sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
        context.router().get("/test/db", [&database](valhalla::sdk::RequestContext& request) {
            auto lease = database.acquire();
            int one = 0;
            lease.session() << "SELECT 1", Poco::Data::Keywords::into(one),
                Poco::Data::Keywords::now;
            Poco::JSON::Object body;
            body.set("one", one);
            valhalla::sdk::sendJson(request, Poco::Net::HTTPResponse::HTTP_OK, body);
        });
    }
};

}  // namespace

VALHALLA_PLUGIN(PoolHolderPlugin, "pool_holder", "1.0.0")
