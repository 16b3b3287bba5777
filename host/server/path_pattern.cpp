#include "server/path_pattern.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <valhalla/sdk/router.hpp>

namespace valhalla::host::server {

namespace {

constexpr std::size_t kMaxMethodLength = 32;

bool isIdentifier(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

// Characters RFC 3986 allows in a path segment without percent-encoding.
bool isLiteralCharacter(char c) {
    static const std::string_view kAllowed = "-._~!$&'()*+,;=:@";
    return std::isalnum(static_cast<unsigned char>(c)) ||
           kAllowed.find(c) != std::string_view::npos;
}

std::vector<std::string_view> splitSegments(std::string_view path) {
    std::vector<std::string_view> segments;
    std::size_t start = 1;
    while (true) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            segments.push_back(path.substr(start));
            return segments;
        }
        segments.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
}

[[noreturn]] void reject(const std::string& pattern, const std::string& problem) {
    throw sdk::RouteError("invalid route pattern '" + pattern + "': " + problem);
}

PatternSegment parseSegment(const std::string& pattern,
                            std::string_view segment,
                            bool is_last,
                            std::set<std::string>& names) {
    if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
        std::string name(segment.substr(1, segment.size() - 2));
        if (!isIdentifier(name)) {
            reject(pattern, "parameter name '" + name + "' must be an identifier");
        }
        if (!names.insert(name).second) {
            reject(pattern, "parameter '" + name + "' appears twice");
        }
        return {true, name};
    }
    if (segment.empty() && !is_last) {
        reject(pattern, "empty segment ('//')");
    }
    for (char c : segment) {
        if (!isLiteralCharacter(c)) {
            reject(pattern,
                   "character '" + std::string(1, c) +
                       "' is not allowed in a literal segment; parameters are whole "
                       "segments like {id}");
        }
    }
    return {false, std::string(segment)};
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::optional<std::string> percentDecode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            decoded.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) {
            return std::nullopt;
        }
        int high = hexValue(text[i + 1]);
        int low = hexValue(text[i + 2]);
        if (high < 0 || low < 0 || (high == 0 && low == 0)) {
            return std::nullopt;
        }
        decoded.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return decoded;
}

}  // namespace

std::vector<PatternSegment> parsePattern(const std::string& pattern) {
    if (pattern.empty() || pattern.front() != '/') {
        reject(pattern, "it must start with '/'");
    }
    std::vector<PatternSegment> segments;
    std::set<std::string> names;
    auto parts = splitSegments(pattern);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        segments.push_back(parseSegment(pattern, parts[i], i + 1 == parts.size(), names));
    }
    return segments;
}

bool isValidMethod(std::string_view method) {
    if (method.empty() || method.size() > kMaxMethodLength) {
        return false;
    }
    return std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::optional<std::vector<std::string>> splitRequestPath(std::string_view path) {
    if (path.empty() || path.front() != '/') {
        return std::nullopt;
    }
    std::vector<std::string> segments;
    for (std::string_view raw : splitSegments(path)) {
        auto decoded = percentDecode(raw);
        if (!decoded) {
            return std::nullopt;
        }
        segments.push_back(std::move(*decoded));
    }
    return segments;
}

}  // namespace valhalla::host::server
