#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include <valhalla/sdk/export.hpp>
#include <valhalla/sdk/request_context.hpp>

namespace valhalla::sdk {

/// A route handler. Handlers run concurrently on the host's request threads, so
/// anything they share must be thread-safe.
using Handler = std::function<void(RequestContext&)>;

/// Rejection of a route: an invalid pattern, a reserved prefix, or a conflict with a
/// route that another plugin already holds. The message names the holder.
class VALHALLA_SDK_API RouteError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Registers a plugin's routes; available only during `Plugin::start`.
///
/// A pattern is made of literal segments and `{name}` parameters, such as
/// `/api/v1/items/{id}`. A literal segment wins over a parameter at the same
/// position, parameters match one non-empty segment, and `/a` and `/a/` are
/// different paths. GET routes also serve HEAD. Paths under `/admin`, `/metrics`,
/// `/healthz` and `/readyz` belong to the host.
///
/// If `start` fails, the host removes every route the plugin added. Not thread-safe:
/// use it only on the thread that runs `start`.
class Router {
public:
    /// Destroyed by the host. Plugins never delete it.
    virtual ~Router() = default;

    /// Adds a route. `method` is an upper-case HTTP method token. Throws RouteError
    /// when the method or pattern is invalid, the path is reserved, the handler is
    /// empty, or another route already has the same method and pattern shape.
    virtual void add(const std::string& method, const std::string& pattern, Handler handler) = 0;

    /// Adds a GET route, which also serves HEAD.
    void get(const std::string& pattern, Handler handler) {
        add("GET", pattern, std::move(handler));
    }

    /// Adds a POST route.
    void post(const std::string& pattern, Handler handler) {
        add("POST", pattern, std::move(handler));
    }

    /// Adds a PUT route.
    void put(const std::string& pattern, Handler handler) {
        add("PUT", pattern, std::move(handler));
    }

    /// Adds a PATCH route.
    void patch(const std::string& pattern, Handler handler) {
        add("PATCH", pattern, std::move(handler));
    }

    /// Adds a DELETE route.
    void del(const std::string& pattern, Handler handler) {
        add("DELETE", pattern, std::move(handler));
    }
};

}  // namespace valhalla::sdk
