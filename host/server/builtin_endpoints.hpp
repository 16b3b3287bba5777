#pragma once

#include <functional>
#include <string>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "config/settings.hpp"
#include "server/host_status.hpp"

namespace valhalla::host::server {

/// The host's own endpoints under the reserved paths: `/healthz`, `/readyz`,
/// `/metrics` and the admin API (`GET /admin/plugins`, `POST /admin/reload`), which
/// is off (404) unless `admin.token` is set.
class BuiltinEndpoints {
public:
    /// `request_reload` requests a reload from the supervisor and returns whether the
    /// request was sent. It is empty in a process without a supervisor.
    BuiltinEndpoints(const config::Settings& settings,
                     const HostStatus& status,
                     std::function<bool()> request_reload = {});

    /// Serves a request whose path is reserved for the host and returns the status
    /// sent. Errors are sent as problem responses.
    int handle(Poco::Net::HTTPServerRequest& request,
               Poco::Net::HTTPServerResponse& response,
               const std::string& path,
               const std::string& request_id) const;

    /// The route name under which metrics count a request for `path`: the path of a
    /// built-in endpoint, or `-` for any other reserved path, so the set stays bounded.
    static std::string routeOf(const std::string& path);

private:
    int metrics(Poco::Net::HTTPServerResponse& response) const;
    int pluginsReport(Poco::Net::HTTPServerResponse& response) const;
    int readiness(Poco::Net::HTTPServerResponse& response) const;
    int admin(Poco::Net::HTTPServerRequest& request,
              Poco::Net::HTTPServerResponse& response,
              const std::string& path,
              const std::string& request_id) const;
    int reload(Poco::Net::HTTPServerRequest& request,
               Poco::Net::HTTPServerResponse& response,
               const std::string& request_id) const;
    bool authorized(const Poco::Net::HTTPServerRequest& request) const;

    std::string admin_token_;
    bool require_database_;
    const HostStatus& status_;
    std::function<bool()> request_reload_;
};

/// Compares two strings in time that depends only on their lengths, so a caller
/// cannot learn a secret's prefix from response times.
bool constantTimeEquals(const std::string& left, const std::string& right);

}  // namespace valhalla::host::server
