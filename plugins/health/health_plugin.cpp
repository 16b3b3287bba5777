#include <chrono>
#include <memory>
#include <string>

#include <Poco/Net/HTTPResponse.h>

#include <valhalla/sdk/sdk.hpp>

#include "database_probe.hpp"
#include "health_report.hpp"

namespace valhalla::plugins::health {

/// Serves GET /api/v1/health with the host version, the uptime since the plugin
/// started, and whether the database responds. The status is 200 when it does and 503
/// when it does not.
class HealthPlugin : public sdk::Plugin {
public:
    void start(sdk::PluginContext& context) override {
        started_ = std::chrono::steady_clock::now();
        host_version_ = context.hostVersion();
        probe_ = std::make_unique<DatabaseProbe>(context.database(), context.logger());
        context.router().get("/api/v1/health",
                             [this](sdk::RequestContext& request) { serveHealth(request); });
    }

private:
    void serveHealth(sdk::RequestContext& request) {
        DatabaseStatus database = probe_->check(request.requestId());
        auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::steady_clock::now() - started_);

        auto status = database.reachable ? Poco::Net::HTTPResponse::HTTP_OK
                                         : Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE;
        request.response().set("Cache-Control", "no-store");
        sdk::sendJson(request, status, healthToJson(host_version_, uptime.count(), database));
    }

    std::chrono::steady_clock::time_point started_;
    std::string host_version_;
    std::unique_ptr<DatabaseProbe> probe_;
};

}  // namespace valhalla::plugins::health

VALHALLA_PLUGIN(valhalla::plugins::health::HealthPlugin, "health", "1.0.0")
