// Fuzzes parsePattern, splitRequestPath and RouteTable.
//
// The input is text with one command per line. Lines that match no command are ignored.
//
//   add OWNER METHOD PATTERN    RouteTable::add, with PATTERN up to the end of the line
//   match METHOD PATH           RouteTable::match, with PATH up to the end of the line
//   remove OWNER                RouteTable::removeOwner
//
// For example:
//
//   add items GET /api/items/{id}
//   add items GET /api/items/new
//   match GET /api/items/42
//
// Every PATTERN also goes through parsePattern and every PATH through splitRequestPath.
// sdk::RouteError from add is expected, but any other exception escapes and counts as a
// crash. Each match result is compared with a brute-force search over all routes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <valhalla/sdk/router.hpp>

#include "server/path_pattern.hpp"
#include "server/route_table.hpp"

namespace {

using valhalla::host::server::parsePattern;
using valhalla::host::server::PatternSegment;
using valhalla::host::server::Route;
using valhalla::host::server::RouteMatch;
using valhalla::host::server::RouteTable;
using valhalla::host::server::splitRequestPath;

// Bounds the work per input, so the fuzzer spends its time on new inputs.
constexpr std::size_t kMaxCommands = 64;

void require(bool condition, const char* invariant) {
    if (!condition) {
        std::fprintf(stderr, "invariant violated: %s\n", invariant);
        std::abort();
    }
}

// Splits off the text up to the first space. Returns std::nullopt when there is none.
std::optional<std::string_view> takeWord(std::string_view& line) {
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view word = line.substr(0, space);
    line.remove_prefix(space + 1);
    return word;
}

std::string joinPattern(const std::vector<PatternSegment>& segments) {
    std::string pattern;
    for (const auto& segment : segments) {
        pattern += segment.is_parameter ? "/{" + segment.text + "}" : "/" + segment.text;
    }
    return pattern;
}

void checkParsePattern(const std::string& pattern) {
    try {
        auto segments = parsePattern(pattern);

        require(!segments.empty(), "a valid pattern has at least one segment");
        require(joinPattern(segments) == pattern, "parsed segments rebuild the pattern");
    } catch (const valhalla::sdk::RouteError&) {
    }
}

// Whether `segments` of a route pattern match the decoded path segments.
bool patternMatches(const std::vector<PatternSegment>& segments,
                    const std::vector<std::string>& path) {
    if (segments.size() != path.size()) {
        return false;
    }
    for (std::size_t i = 0; i < segments.size(); ++i) {
        bool matches = segments[i].is_parameter ? !path[i].empty() : segments[i].text == path[i];
        if (!matches) {
            return false;
        }
    }
    return true;
}

bool servesMethod(const Route& route, const std::string& method) {
    return route.method == method || (method == "HEAD" && route.method == "GET");
}

// Whether `better` takes priority over `other` when both match one path: at the first
// position where one has a literal and the other a parameter, the literal wins.
bool hasPriority(const std::vector<PatternSegment>& better,
                 const std::vector<PatternSegment>& other) {
    for (std::size_t i = 0; i < better.size() && i < other.size(); ++i) {
        if (better[i].is_parameter != other[i].is_parameter) {
            return !better[i].is_parameter;
        }
    }
    return true;
}

void checkFound(const RouteMatch& result,
                const std::string& method,
                const std::vector<std::string>& path,
                const std::vector<std::shared_ptr<const Route>>& candidates) {
    require(result.route != nullptr, "Found has a route");
    require(servesMethod(*result.route, method), "Found route serves the method");
    auto segments = parsePattern(result.route->pattern);
    require(patternMatches(segments, path), "Found route matches the path");
    require(result.parameters.size() == result.route->parameter_names.size(),
            "one value per parameter");

    std::size_t parameter = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (segments[i].is_parameter) {
            require(result.parameters[parameter].first == segments[i].text, "parameter name");
            require(result.parameters[parameter].second == path[i], "parameter value");
            ++parameter;
        }
    }
    for (const auto& candidate : candidates) {
        if (servesMethod(*candidate, method)) {
            require(hasPriority(segments, parsePattern(candidate->pattern)),
                    "no other matching route has a literal where the found one has a parameter");
        }
    }
}

void checkMatch(const RouteTable& table, const std::string& method, std::string_view path) {
    RouteMatch result = table.match(method, path);
    auto decoded = splitRequestPath(path);

    if (!decoded) {
        require(result.kind == RouteMatch::Kind::BadPath, "an invalid path gives BadPath");
        require(!result.error.empty(), "BadPath has a reason");
        return;
    }
    require(result.kind != RouteMatch::Kind::BadPath, "a valid path never gives BadPath");
    require(decoded->size() == static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')),
            "one decoded segment per '/'");

    std::vector<std::shared_ptr<const Route>> candidates;
    std::set<std::string> allowed;
    bool servable = false;
    for (const auto& route : table.routes()) {
        if (patternMatches(parsePattern(route->pattern), *decoded)) {
            candidates.push_back(route);
            allowed.insert(route->method);
            servable = servable || servesMethod(*route, method);
        }
    }
    if (allowed.count("GET") != 0) {
        allowed.insert("HEAD");
    }

    if (servable) {
        require(result.kind == RouteMatch::Kind::Found, "a route serves the method and path");
        checkFound(result, method, *decoded, candidates);
    } else if (!candidates.empty()) {
        require(result.kind == RouteMatch::Kind::MethodNotAllowed,
                "routes match the path but not the method");
        require(std::set<std::string>(result.allowed_methods.begin(),
                                      result.allowed_methods.end()) == allowed,
                "allowed methods are those of the matching routes");
        require(std::is_sorted(result.allowed_methods.begin(), result.allowed_methods.end()),
                "allowed methods are sorted");
        require(result.allowed_methods.size() == allowed.size(), "allowed methods are unique");
    } else {
        require(result.kind == RouteMatch::Kind::NotFound, "no route matches the path");
    }
}

void addRoute(RouteTable& table, std::string_view arguments) {
    auto owner = takeWord(arguments);
    auto method = takeWord(arguments);
    if (!owner || !method) {
        return;
    }
    std::string pattern(arguments);
    checkParsePattern(pattern);

    std::size_t before = table.routes().size();
    try {
        table.add(std::string(*method), pattern, std::string(*owner), [](auto&) {});
    } catch (const valhalla::sdk::RouteError&) {
        require(table.routes().size() == before, "a rejected route is not added");
        return;
    }
    require(table.routes().size() == before + 1, "an accepted route is added");
}

void removeOwner(RouteTable& table, std::string_view owner) {
    table.removeOwner(std::string(owner));

    for (const auto& route : table.routes()) {
        require(route->owner != owner, "removeOwner leaves no route of the owner");
    }
}

void runCommand(RouteTable& table, std::string_view line) {
    auto command = takeWord(line);
    if (!command) {
        return;
    }
    if (*command == "add") {
        addRoute(table, line);
    } else if (*command == "remove") {
        removeOwner(table, line);
    } else if (*command == "match") {
        auto method = takeWord(line);
        if (method) {
            checkMatch(table, std::string(*method), line);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    RouteTable table;

    for (std::size_t count = 0; !text.empty() && count < kMaxCommands; ++count) {
        std::size_t newline = text.find('\n');
        runCommand(table, text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    }
    return 0;
}
