#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace valhalla::plugins::items {

/// Parses a non-empty string of ASCII digits into a non-negative int64, or returns
/// std::nullopt for anything else: a sign, spaces, other characters or overflow.
std::optional<std::int64_t> parseNonNegativeInteger(std::string_view text);

}  // namespace valhalla::plugins::items
