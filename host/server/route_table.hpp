#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <valhalla/sdk/router.hpp>

namespace valhalla::host::server {

/// One registered route.
struct Route {
    std::string method;
    std::string pattern;
    /// Name of the plugin that registered the route.
    std::string owner;
    sdk::Handler handler;
    /// Names of the pattern's `{name}` segments, in order.
    std::vector<std::string> parameter_names;
};

/// Result of looking up a method and a path.
struct RouteMatch {
    enum class Kind { Found, NotFound, MethodNotAllowed, BadPath };

    Kind kind = Kind::NotFound;
    std::shared_ptr<const Route> route;
    /// Decoded path parameters by name, for Found.
    std::vector<std::pair<std::string, std::string>> parameters;
    /// Methods the path supports, sorted, for MethodNotAllowed.
    std::vector<std::string> allowed_methods;
    /// Reason the path is invalid, for BadPath.
    std::string error;
};

/// Maps a method and a path to a route.
///
/// Literal segments win over parameters at the same position, with backtracking
/// when the literal branch has no route for the rest of the path. HEAD falls back to
/// GET. Lookups may run concurrently with each other but not with add or remove,
/// which is why the host fills the table before it starts listening.
class RouteTable {
public:
    RouteTable();
    ~RouteTable();

    /// Adds a route. Throws sdk::RouteError when the method or pattern is invalid,
    /// the path is reserved for the host, or the same method and pattern shape is
    /// already registered. A conflict message names the plugin that owns the route.
    void add(const std::string& method,
             const std::string& pattern,
             const std::string& owner,
             sdk::Handler handler);

    /// Removes every route that `owner` registered.
    void removeOwner(const std::string& owner);

    /// Looks up `path`, the URI path without the query string, still percent-encoded.
    RouteMatch match(const std::string& method, std::string_view path) const;

    /// All routes in registration order.
    std::vector<std::shared_ptr<const Route>> routes() const { return routes_; }

    /// Returns whether `path` belongs to the host: `/admin`, `/metrics`, `/healthz`,
    /// `/readyz` and anything below them.
    static bool isReservedPath(std::string_view path);

    /// A node of the segment tree; defined in the .cpp file.
    struct Node;

private:
    std::unique_ptr<Node> root_;
    std::vector<std::shared_ptr<const Route>> routes_;
};

}  // namespace valhalla::host::server
