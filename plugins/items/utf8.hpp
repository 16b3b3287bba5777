#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace valhalla::plugins::items {

/// Counts the Unicode code points of `text`, or returns std::nullopt when it is not
/// valid UTF-8 (a truncated or overlong sequence, a surrogate, or a code point above
/// U+10FFFF).
std::optional<std::size_t> countCodePoints(std::string_view text);

}  // namespace valhalla::plugins::items
