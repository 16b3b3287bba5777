#pragma once

#include <memory>
#include <string>

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <spdlog/logger.h>

#include "config/settings.hpp"
#include "logging/rate_limiter.hpp"
#include "server/access_log.hpp"
#include "server/builtin_endpoints.hpp"
#include "server/client_address.hpp"
#include "server/route_table.hpp"
#include "shared/request_metrics.hpp"

namespace valhalla::host::server {

/// Serves one request: assigns the request id, routes it to a built-in endpoint or
/// a plugin handler, turns every error into a problem response, and writes the
/// access-log line. Shared by all request threads; thread-safe once the route
/// table is complete.
class RequestDispatcher {
public:
    /// `metrics`, when not null, counts every request.
    RequestDispatcher(const config::Settings& settings,
                      const RouteTable& routes,
                      const BuiltinEndpoints& builtins,
                      shared::RequestMetrics* metrics = nullptr);

    void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

private:
    /// Routes the request and sends the response. Returns whether the rest of the request body
    /// may be read, which is false after a final response to `Expect: 100-continue`.
    bool dispatch(Poco::Net::HTTPServerRequest& request,
                  Poco::Net::HTTPServerResponse& response,
                  AccessRecord& record);
    void callHandler(const RouteMatch& match,
                     Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response,
                     AccessRecord& record);
    void failHandler(Poco::Net::HTTPServerResponse& response,
                     const AccessRecord& record,
                     const std::string& error);

    std::size_t max_body_size_;
    const RouteTable& routes_;
    const BuiltinEndpoints& builtins_;
    shared::RequestMetrics* metrics_;
    TrustedProxies trusted_proxies_;
    std::shared_ptr<spdlog::logger> log_;
    // Keyed by route pattern, a bounded set.
    logging::KeyedRateLimiter handler_error_limit_{std::chrono::seconds(1)};
};

/// Poco handler factory that passes every request to a RequestDispatcher. It is the
/// interface between the connection layer and the rest of the host.
class DispatcherFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit DispatcherFactory(RequestDispatcher& dispatcher) : dispatcher_(dispatcher) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& request) override;

private:
    RequestDispatcher& dispatcher_;
};

}  // namespace valhalla::host::server
