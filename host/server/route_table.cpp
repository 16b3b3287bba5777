#include "server/route_table.hpp"

#include <algorithm>
#include <set>

#include "server/path_pattern.hpp"

namespace valhalla::host::server {

struct RouteTable::Node {
    std::map<std::string, std::unique_ptr<Node>> literals;
    std::unique_ptr<Node> parameter;
    std::map<std::string, std::shared_ptr<const Route>> methods;
};

namespace {

using Node = RouteTable::Node;

constexpr std::string_view kReservedSegments[] = {"admin", "metrics", "healthz", "readyz"};

// Visits, in priority order, every node that matches all of `segments`, with the
// parameter values collected on the way. Stops when `visit` returns true.
template <typename Visit>
bool visitMatches(const Node& node,
                  const std::vector<std::string>& segments,
                  std::size_t index,
                  std::vector<std::string>& values,
                  Visit& visit) {
    if (index == segments.size()) {
        return !node.methods.empty() && visit(node, values);
    }
    const std::string& segment = segments[index];
    auto literal = node.literals.find(segment);
    if (literal != node.literals.end() &&
        visitMatches(*literal->second, segments, index + 1, values, visit)) {
        return true;
    }
    if (node.parameter && !segment.empty()) {
        values.push_back(segment);
        bool stop = visitMatches(*node.parameter, segments, index + 1, values, visit);
        values.pop_back();
        return stop;
    }
    return false;
}

std::shared_ptr<const Route> findMethod(const Node& node, const std::string& method) {
    auto found = node.methods.find(method);
    if (found == node.methods.end() && method == "HEAD") {
        found = node.methods.find("GET");
    }
    return found == node.methods.end() ? nullptr : found->second;
}

std::string shapeOf(const std::vector<PatternSegment>& segments) {
    std::string shape;
    for (const auto& segment : segments) {
        shape += segment.is_parameter ? "/{}" : "/" + segment.text;
    }
    return shape;
}

}  // namespace

RouteTable::RouteTable() : root_(std::make_unique<Node>()) {}

RouteTable::~RouteTable() = default;

void RouteTable::add(const std::string& method,
                     const std::string& pattern,
                     const std::string& owner,
                     sdk::Handler handler) {
    if (!isValidMethod(method)) {
        throw sdk::RouteError("invalid HTTP method '" + method + "' for route " + pattern +
                              ": use an upper-case token such as GET or POST");
    }
    auto segments = parsePattern(pattern);
    if (isReservedPath(pattern)) {
        throw sdk::RouteError("route " + method + " " + pattern +
                              " is reserved for the host: /admin, /metrics, /healthz and /readyz "
                              "cannot be registered by plugins");
    }
    if (!handler) {
        throw sdk::RouteError("route " + method + " " + pattern + " has an empty handler");
    }

    Node* node = root_.get();
    auto route = std::make_shared<Route>();
    for (const auto& segment : segments) {
        auto& next = segment.is_parameter ? node->parameter : node->literals[segment.text];
        if (!next) {
            next = std::make_unique<Node>();
        }
        node = next.get();
        if (segment.is_parameter) {
            route->parameter_names.push_back(segment.text);
        }
    }
    if (auto held = node->methods.find(method); held != node->methods.end()) {
        throw sdk::RouteError("route " + method + " " + pattern + " conflicts with " + method +
                              " " + held->second->pattern + " of plugin '" + held->second->owner +
                              "' (same shape " + shapeOf(segments) + ")");
    }
    route->method = method;
    route->pattern = pattern;
    route->owner = owner;
    route->handler = std::move(handler);
    node->methods.emplace(method, route);
    routes_.push_back(std::move(route));
}

void RouteTable::removeOwner(const std::string& owner) {
    auto kept = std::move(routes_);
    root_ = std::make_unique<Node>();
    routes_.clear();
    for (auto& route : kept) {
        if (route->owner != owner) {
            add(route->method, route->pattern, route->owner, route->handler);
        }
    }
}

RouteMatch RouteTable::match(const std::string& method, std::string_view path) const {
    RouteMatch result;
    auto segments = splitRequestPath(path);
    if (!segments) {
        result.kind = RouteMatch::Kind::BadPath;
        result.error = "the request path is not a valid percent-encoded absolute path";
        return result;
    }

    std::set<std::string> allowed;
    std::vector<std::string> values;
    auto visit = [&](const Node& node, const std::vector<std::string>& found_values) {
        if (auto route = findMethod(node, method)) {
            result.kind = RouteMatch::Kind::Found;
            result.route = route;
            for (std::size_t i = 0; i < route->parameter_names.size(); ++i) {
                result.parameters.emplace_back(route->parameter_names[i], found_values[i]);
            }
            return true;
        }
        for (const auto& [name, route] : node.methods) {
            allowed.insert(name);
        }
        return false;
    };
    if (visitMatches(*root_, *segments, 0, values, visit)) {
        return result;
    }
    if (!allowed.empty()) {
        if (allowed.count("GET")) {
            allowed.insert("HEAD");
        }
        result.kind = RouteMatch::Kind::MethodNotAllowed;
        result.allowed_methods.assign(allowed.begin(), allowed.end());
    }
    return result;
}

bool RouteTable::isReservedPath(std::string_view path) {
    if (path.empty() || path.front() != '/') {
        return false;
    }
    std::string_view first = path.substr(1, path.find('/', 1) - 1);
    return std::find(std::begin(kReservedSegments), std::end(kReservedSegments), first) !=
           std::end(kReservedSegments);
}

}  // namespace valhalla::host::server
