#include "request_parameters.hpp"

#include <algorithm>
#include <limits>
#include <optional>

#include <valhalla/sdk/http_error.hpp>

#include "integer_text.hpp"

namespace valhalla::plugins::items {

namespace {

[[noreturn]] void throwInvalidParameter(const std::string& name,
                                        const std::string& value,
                                        const std::string& allowed) {
    throw sdk::HttpError(
        400, "invalid query parameter " + name + "='" + value + "': expected " + allowed);
}

/// Reads an integer query parameter in [min, max], or returns `fallback` when absent.
std::int64_t readIntegerParameter(const sdk::RequestContext& request,
                                  const std::string& name,
                                  std::int64_t min,
                                  std::int64_t max,
                                  std::int64_t fallback,
                                  const std::string& allowed) {
    std::optional<std::string> text = request.queryParameter(name);
    if (!text) {
        return fallback;
    }
    std::optional<std::int64_t> value = parseNonNegativeInteger(*text);
    if (!value || *value < min || *value > max) {
        throwInvalidParameter(name, *text, allowed);
    }
    return *value;
}

}  // namespace

PageRequest readPageRequest(const sdk::RequestContext& request, std::int64_t max_limit) {
    PageRequest page;
    std::string limit_range = "an integer from 1 to " + std::to_string(max_limit);
    page.limit = readIntegerParameter(
        request, "limit", 1, max_limit, std::min(kDefaultPageLimit, max_limit), limit_range);
    page.offset = readIntegerParameter(request,
                                       "offset",
                                       0,
                                       std::numeric_limits<std::int64_t>::max(),
                                       0,
                                       "an integer of 0 or more");
    return page;
}

std::int64_t readItemId(const sdk::RequestContext& request) {
    const std::string& text = request.pathParameter("id");
    std::optional<std::int64_t> id = parseNonNegativeInteger(text);
    // Each item has one path, so "02" names no item rather than item 2.
    if (!id || *id == 0 || text.front() == '0') {
        // Quotes at most the start of a long id, so a 404 stays small.
        constexpr std::size_t kMaxQuoted = 40;
        std::string quoted = text.size() > kMaxQuoted ? text.substr(0, kMaxQuoted) + "..." : text;
        throw sdk::HttpError(404, "item '" + quoted + "' not found");
    }
    return *id;
}

}  // namespace valhalla::plugins::items
