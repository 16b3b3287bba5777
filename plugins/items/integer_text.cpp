#include "integer_text.hpp"

#include <charconv>
#include <system_error>

namespace valhalla::plugins::items {

std::optional<std::int64_t> parseNonNegativeInteger(std::string_view text) {
    // from_chars would accept a leading '-', so require a digit first.
    if (text.empty() || text.front() < '0' || text.front() > '9') {
        return std::nullopt;
    }
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || stop != end) {
        return std::nullopt;
    }
    return value;
}

}  // namespace valhalla::plugins::items
