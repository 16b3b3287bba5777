#include "server/builtin_endpoints.hpp"

#include <sstream>

#include <Poco/String.h>

#include "server/problem.hpp"

namespace valhalla::host::server {

namespace {

using Poco::Net::HTTPResponse;

int sendJsonObject(Poco::Net::HTTPServerResponse& response,
                   HTTPResponse::HTTPStatus status,
                   const Poco::JSON::Object& body) {
    std::ostringstream text;
    body.stringify(text);
    std::string payload = text.str();
    response.setStatusAndReason(status);
    response.setContentType("application/json");
    response.set("Cache-Control", "no-store");
    response.sendBuffer(payload.data(), payload.size());
    return status;
}

int sendProblemStatus(Poco::Net::HTTPServerResponse& response, Problem problem) {
    sendProblem(response, problem);
    return problem.status;
}

// Names and states only: /readyz needs no token, so file names, checksums and load
// errors stay behind the admin API.
Poco::JSON::Array::Ptr pluginSummary(const Poco::JSON::Array& plugins) {
    Poco::JSON::Array::Ptr summary = new Poco::JSON::Array;
    for (std::size_t i = 0; i < plugins.size(); ++i) {
        auto plugin = plugins.getObject(static_cast<unsigned>(i));
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("name", plugin->getValue<std::string>("name"));
        item->set("state", plugin->getValue<std::string>("state"));
        summary->add(item);
    }
    return summary;
}

int methodNotAllowed(Poco::Net::HTTPServerResponse& response,
                     const Poco::Net::HTTPServerRequest& request,
                     const std::string& path,
                     const std::string& request_id,
                     const std::string& allow) {
    return sendProblemStatus(response,
                             {405,
                              request.getMethod() + " is not allowed on " + path,
                              request_id,
                              {},
                              {{"Allow", allow}}});
}

bool isGetOrHead(const Poco::Net::HTTPServerRequest& request) {
    return request.getMethod() == "GET" || request.getMethod() == "HEAD";
}

// The serving generation's entry in the supervisor's record, or null.
Poco::JSON::Object::Ptr servingGeneration(const Poco::JSON::Object::Ptr& record) {
    if (!record) {
        return nullptr;
    }
    int serving = record->optValue<int>("serving_generation", 0);
    auto generations = record->getArray("generations");
    for (std::size_t i = 0; generations && i < generations->size(); ++i) {
        auto entry = generations->getObject(static_cast<unsigned>(i));
        if (entry && entry->optValue<int>("generation", -1) == serving) {
            return entry;
        }
    }
    return nullptr;
}

// Load results of the serving generation as the supervisor recorded them, or this
// worker's own before the supervisor has a report.
Poco::JSON::Array::Ptr servingPlugins(const HostStatus& status,
                                      const Poco::JSON::Object::Ptr& record) {
    auto generation = servingGeneration(record);
    if (generation && generation->has("plugins")) {
        return generation->getArray("plugins");
    }
    return status.plugins();
}

}  // namespace

bool constantTimeEquals(const std::string& left, const std::string& right) {
    unsigned char difference = left.size() == right.size() ? 0 : 1;
    const std::string& reference = left.size() == right.size() ? right : left;
    for (std::size_t i = 0; i < left.size(); ++i) {
        difference |= static_cast<unsigned char>(left[i] ^ reference[i]);
    }
    return difference == 0;
}

BuiltinEndpoints::BuiltinEndpoints(const config::Settings& settings,
                                   const HostStatus& status,
                                   std::function<bool()> request_reload)
    : admin_token_(settings.admin_token),
      require_database_(settings.readyz_require_database),
      status_(status),
      request_reload_(std::move(request_reload)) {}

int BuiltinEndpoints::handle(Poco::Net::HTTPServerRequest& request,
                             Poco::Net::HTTPServerResponse& response,
                             const std::string& path,
                             const std::string& request_id) const {
    if (path == "/admin" || path.rfind("/admin/", 0) == 0) {
        return admin(request, response, path, request_id);
    }
    if (path != "/healthz" && path != "/readyz" && path != "/metrics") {
        return sendProblemStatus(response, {404, "no route for " + path, request_id, {}, {}});
    }
    if (!isGetOrHead(request)) {
        return methodNotAllowed(response, request, path, request_id, "GET, HEAD");
    }
    if (path == "/metrics") {
        return metrics(response);
    }
    if (path == "/healthz") {
        Poco::JSON::Object body;
        body.set("status", "ok");
        return sendJsonObject(response, HTTPResponse::HTTP_OK, body);
    }
    return readiness(response);
}

std::string BuiltinEndpoints::routeOf(const std::string& path) {
    static const std::string kRoutes[] = {
        "/healthz", "/readyz", "/metrics", "/admin/plugins", "/admin/reload"};
    for (const auto& route : kRoutes) {
        if (path == route) {
            return route;
        }
    }
    return "-";
}

int BuiltinEndpoints::metrics(Poco::Net::HTTPServerResponse& response) const {
    std::string text = status_.metricsText();
    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    response.setContentType("text/plain; version=0.0.4; charset=utf-8");
    response.set("Cache-Control", "no-store");
    response.sendBuffer(text.data(), text.size());
    return HTTPResponse::HTTP_OK;
}

int BuiltinEndpoints::readiness(Poco::Net::HTTPServerResponse& response) const {
    auto database = status_.database(true);
    bool reachable = database->getValue<bool>("reachable");
    auto not_ready = status_.pluginsNotReady();
    bool ready = status_.serving() && (reachable || !require_database_) && not_ready.empty();
    auto record = status_.supervisorRecord();

    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("status", ready ? "ready" : "not_ready");
    body.set("serving", status_.serving());
    body.set("generation", status_.generation());
    if (record) {
        body.set("serving_generation", record->optValue<int>("serving_generation", 0));
    }
    body.set("database", database);
    body.set("plugins", pluginSummary(*servingPlugins(status_, record)));
    if (!not_ready.empty()) {
        Poco::JSON::Array::Ptr problems = new Poco::JSON::Array;
        for (const auto& problem : not_ready) {
            problems->add(problem);
        }
        body.set("plugins_not_ready", problems);
    }
    return sendJsonObject(
        response, ready ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_SERVICE_UNAVAILABLE, body);
}

int BuiltinEndpoints::admin(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response,
                            const std::string& path,
                            const std::string& request_id) const {
    if (admin_token_.empty()) {
        return sendProblemStatus(
            response,
            {404,
             "the admin API is off; set admin.token (ADMIN_TOKEN) to enable it",
             request_id,
             {},
             {}});
    }
    if (!authorized(request)) {
        return sendProblemStatus(response,
                                 {401,
                                  "missing or invalid bearer token for the admin API",
                                  request_id,
                                  {},
                                  {{"WWW-Authenticate", "Bearer realm=\"valhalla-admin\""}}});
    }
    if (path == "/admin/reload") {
        return reload(request, response, request_id);
    }
    if (path != "/admin/plugins") {
        return sendProblemStatus(response, {404, "no admin endpoint " + path, request_id, {}, {}});
    }
    if (!isGetOrHead(request)) {
        return methodNotAllowed(response, request, path, request_id, "GET, HEAD");
    }
    return pluginsReport(response);
}

// The whole server's view from the supervisor's record: the serving generation's
// plugins, every live generation, the workers and recent reload failures.
int BuiltinEndpoints::pluginsReport(Poco::Net::HTTPServerResponse& response) const {
    auto record = status_.supervisorRecord();
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("generation",
             record ? record->optValue<int>("serving_generation", 0) : status_.generation());
    body.set("plugins", servingPlugins(status_, record));
    if (record) {
        body.set("generations", record->getArray("generations"));
        body.set("workers", record->getArray("workers"));
        body.set("reload_failures", record->getArray("reload_failures"));
    }
    return sendJsonObject(response, HTTPResponse::HTTP_OK, body);
}

int BuiltinEndpoints::reload(Poco::Net::HTTPServerRequest& request,
                             Poco::Net::HTTPServerResponse& response,
                             const std::string& request_id) const {
    if (request.getMethod() != "POST") {
        return methodNotAllowed(response, request, "/admin/reload", request_id, "POST");
    }
    if (!request_reload_ || !request_reload_()) {
        return sendProblemStatus(
            response,
            {503,
             "this process has no supervisor to reload; send SIGHUP to the valhalla process",
             request_id,
             {},
             {}});
    }
    Poco::JSON::Object body;
    body.set("status", "reload requested");
    return sendJsonObject(response, HTTPResponse::HTTP_ACCEPTED, body);
}

bool BuiltinEndpoints::authorized(const Poco::Net::HTTPServerRequest& request) const {
    static const std::string kScheme = "Bearer ";
    // Copied, because get() returns its default argument by reference, and that temporary
    // is destroyed at the end of the statement.
    const std::string header = request.get("Authorization", "");
    if (header.size() <= kScheme.size() ||
        Poco::icompare(header.substr(0, kScheme.size()), kScheme) != 0) {
        return false;
    }
    return constantTimeEquals(header.substr(kScheme.size()), admin_token_);
}

}  // namespace valhalla::host::server
