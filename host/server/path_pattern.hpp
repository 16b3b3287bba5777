#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace valhalla::host::server {

/// One segment of a route pattern: a literal, or a `{name}` parameter.
struct PatternSegment {
    bool is_parameter = false;
    /// The literal text, or the parameter name.
    std::string text;
};

/// Splits and validates a route pattern such as `/api/v1/items/{id}`. Throws
/// sdk::RouteError naming the pattern and the problem.
std::vector<PatternSegment> parsePattern(const std::string& pattern);

/// Returns whether `method` is a valid HTTP method token of upper-case letters.
bool isValidMethod(std::string_view method);

/// Splits a request path into percent-decoded segments. Returns std::nullopt when
/// the path does not start with '/' or contains an invalid percent escape or a
/// decoded NUL byte.
std::optional<std::vector<std::string>> splitRequestPath(std::string_view path);

}  // namespace valhalla::host::server
