#include "server/request_dispatcher.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>

#include "logging/logging.hpp"
#include "server/current_request.hpp"
#include "server/problem.hpp"
#include "server/request_context_impl.hpp"
#include "server/request_id.hpp"

namespace valhalla::host::server {

namespace {

using Clock = std::chrono::steady_clock;

/// Returns the path of a request target in origin form (`/a?b`) or absolute form
/// (`http://host/a?b`), without query and fragment.
std::string targetPath(const std::string& target) {
    std::size_t start = 0;
    if (target.empty() || target.front() != '/') {
        std::size_t scheme = target.find("://");
        if (scheme == std::string::npos) {
            return target;
        }
        start = target.find('/', scheme + 3);
        if (start == std::string::npos) {
            return "/";
        }
    }
    std::size_t end = target.find_first_of("?#", start);
    return target.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool statusForbidsBody(int status) {
    return status < 200 || status == 204 || status == 304;
}

// Reads what the handler left of the request body, so the bytes are not taken as
// the next request on this connection. Gives up above `limit` and closes instead.
void drainBody(Poco::Net::HTTPServerRequest& request,
               Poco::Net::HTTPServerResponse& response,
               std::size_t limit) {
    if (!request.hasContentLength() && !request.getChunkedTransferEncoding()) {
        return;
    }
    if (request.hasContentLength() &&
        static_cast<std::uint64_t>(request.getContentLength64()) > limit) {
        response.setKeepAlive(false);
        return;
    }
    try {
        Poco::NullOutputStream sink;
        auto& body = request.stream();
        std::uint64_t drained = Poco::StreamCopier::copyStream64(body, sink);
        // A stream in a failed state hit a malformed chunk or a broken connection, so
        // the position of the next request is unknown.
        if (drained > limit || body.bad()) {
            response.setKeepAlive(false);
        }
    } catch (const Poco::Exception&) {
        response.setKeepAlive(false);
    }
}

// Sends an empty response when the handler sent nothing, with Content-Length: 0
// except where HTTP forbids it.
void finishResponse(Poco::Net::HTTPServerResponse& response) {
    if (response.sent()) {
        return;
    }
    if (statusForbidsBody(response.getStatus())) {
        response.setContentLength(Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH);
        response.setChunkedTransferEncoding(false);
    } else {
        response.setContentLength(0);
    }
    response.send();
}

class DispatchHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit DispatchHandler(RequestDispatcher& dispatcher) : dispatcher_(dispatcher) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        dispatcher_.handle(request, response);
    }

private:
    RequestDispatcher& dispatcher_;
};

}  // namespace

RequestDispatcher::RequestDispatcher(const config::Settings& settings,
                                     const RouteTable& routes,
                                     const BuiltinEndpoints& builtins,
                                     shared::RequestMetrics* metrics)
    : max_body_size_(settings.max_body_size),
      routes_(routes),
      builtins_(builtins),
      metrics_(metrics),
      trusted_proxies_(settings.trusted_proxies),
      log_(logging::get("server")) {}

void RequestDispatcher::handle(Poco::Net::HTTPServerRequest& request,
                               Poco::Net::HTTPServerResponse& response) {
    auto started = Clock::now();
    if (metrics_) {
        metrics_->begin();
    }
    AccessRecord record;
    record.method = request.getMethod();
    record.remote_address = trusted_proxies_.clientAddress(
        request.clientAddress().host().toString(), request.get("X-Forwarded-For", ""));
    // Copied, because get() returns its default argument by reference, and that temporary
    // is destroyed at the end of the statement.
    const std::string client_id = request.get("X-Request-Id", "");
    record.request_id = isWellFormedRequestId(client_id) ? client_id : newRequestId();
    record.plugin = "host";
    record.route = "-";
    response.set("X-Request-Id", record.request_id);

    try {
        bool body_readable = dispatch(request, response, record);
        if (body_readable) {
            drainBody(request, response, max_body_size_);
        }
        finishResponse(response);
    } catch (const std::exception& error) {
        // Only reached when writing the response itself failed: the client is gone.
        log_->warn("response failed request_id={} error=\"{}\"", record.request_id, error.what());
        response.setKeepAlive(false);
    }

    record.status = static_cast<int>(response.getStatus());
    if (response.hasContentLength()) {
        record.bytes = response.getContentLength64();
    }
    record.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    logAccess(record);
    if (metrics_) {
        metrics_->end(record.plugin, record.route, record.status, record.duration);
    }
}

bool RequestDispatcher::dispatch(Poco::Net::HTTPServerRequest& request,
                                 Poco::Net::HTTPServerResponse& response,
                                 AccessRecord& record) {
    record.path = targetPath(request.getURI());
    // A client that sent `Expect: 100-continue` may hold its body back until it
    // receives 100. Every response other than a handler call is final, so the
    // connection closes after it instead of waiting for a body that may never come.
    bool expect_continue = request.getExpectContinue();
    bool keep_alive = response.getKeepAlive();
    if (expect_continue) {
        response.setKeepAlive(false);
    }
    if (request.hasContentLength() &&
        static_cast<std::uint64_t>(request.getContentLength64()) > max_body_size_) {
        response.setKeepAlive(false);
        sendProblem(response,
                    {413,
                     "request body of " + std::to_string(request.getContentLength64()) +
                         " bytes exceeds the limit of " + std::to_string(max_body_size_) +
                         " bytes (server.max_body_size)",
                     record.request_id,
                     {},
                     {}});
        return false;
    }
    if (RouteTable::isReservedPath(record.path)) {
        record.route = BuiltinEndpoints::routeOf(record.path);
        builtins_.handle(request, response, record.path, record.request_id);
        return !expect_continue;
    }

    RouteMatch match = routes_.match(record.method, record.path);
    switch (match.kind) {
        case RouteMatch::Kind::Found:
            if (expect_continue) {
                response.setKeepAlive(keep_alive);
                response.sendContinue();
            }
            callHandler(match, request, response, record);
            return true;
        case RouteMatch::Kind::BadPath:
            sendProblem(response, {400, match.error, record.request_id, {}, {}});
            return !expect_continue;
        case RouteMatch::Kind::MethodNotAllowed: {
            std::string allow;
            for (const auto& method : match.allowed_methods) {
                allow += (allow.empty() ? "" : ", ") + method;
            }
            sendProblem(
                response,
                {405,
                 record.method + " is not allowed on " + record.path + "; allowed: " + allow,
                 record.request_id,
                 {},
                 {{"Allow", allow}}});
            return !expect_continue;
        }
        case RouteMatch::Kind::NotFound:
            sendProblem(response, {404, "no route for " + record.path, record.request_id, {}, {}});
            return !expect_continue;
    }
    return false;
}

void RequestDispatcher::callHandler(const RouteMatch& match,
                                    Poco::Net::HTTPServerRequest& request,
                                    Poco::Net::HTTPServerResponse& response,
                                    AccessRecord& record) {
    const Route& route = *match.route;
    record.plugin = route.owner;
    record.route = route.pattern;

    Poco::URI::QueryParameters query;
    try {
        query = Poco::URI(request.getURI()).getQueryParameters();
    } catch (const Poco::Exception& error) {
        sendProblem(response,
                    {400, "invalid request target: " + error.message(), record.request_id, {}, {}});
        return;
    }

    RequestContextImpl context(request,
                               response,
                               match.parameters,
                               std::move(query),
                               record.request_id,
                               route.pattern,
                               max_body_size_);
    try {
        CurrentRequest running(route.owner, route.pattern, record.request_id);
        route.handler(context);
    } catch (const sdk::HttpError& error) {
        if (request.stream().bad() || error.status() == 413) {
            // The body was not read to its end, so the start of the next request is
            // unknown and the connection must close.
            response.setKeepAlive(false);
        }
        if (error.status() >= 500) {
            log_->warn(
                "handler returned an error plugin={} route={} request_id={} status={} "
                "detail=\"{}\"",
                route.owner,
                route.pattern,
                record.request_id,
                error.status(),
                error.detail());
        }
        if (response.sent()) {
            response.setKeepAlive(false);
        }
        sendProblem(response, problemFrom(error, record.request_id));
    } catch (const Poco::Exception& error) {
        failHandler(response, record, error.displayText());
    } catch (const std::exception& error) {
        failHandler(response, record, error.what());
    } catch (...) {
        failHandler(response, record, "an exception of a type not derived from std::exception");
    }
}

void RequestDispatcher::failHandler(Poco::Net::HTTPServerResponse& response,
                                    const AccessRecord& record,
                                    const std::string& error) {
    if (auto suppressed = handler_error_limit_.admit(record.plugin + " " + record.route)) {
        log_->error(
            "handler failed plugin={} route={} request_id={} error=\"{}\" suppressed_since_last={}",
            record.plugin,
            record.route,
            record.request_id,
            error,
            *suppressed);
    }
    if (response.sent()) {
        // Part of the response is on the wire; closing is the only honest signal left.
        response.setKeepAlive(false);
        return;
    }
    sendProblem(response,
                {500,
                 "the handler failed; the server log has the details under this request id",
                 record.request_id,
                 {},
                 {}});
}

Poco::Net::HTTPRequestHandler* DispatcherFactory::createRequestHandler(
    const Poco::Net::HTTPServerRequest&) {
    return new DispatchHandler(dispatcher_);
}

}  // namespace valhalla::host::server
