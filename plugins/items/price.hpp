#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace valhalla::plugins::items {

/// Largest price that a DECIMAL(10,2) column stores, in cents (99999999.99).
inline constexpr std::int64_t kMaxPriceCents = 9'999'999'999;

/// Parses a non-negative decimal with at most two decimal places, such as "12.50", "0.1"
/// or "7", into cents. Throws std::invalid_argument with a message for the client when
/// the text is not such a decimal or exceeds kMaxPriceCents.
std::int64_t parsePriceText(std::string_view text);

/// Converts a JSON number into cents. The number is accepted when its shortest decimal
/// form has at most two decimal places, so 12.5 gives 1250 and 0.1 gives 10. Throws
/// std::invalid_argument like parsePriceText.
std::int64_t parsePriceNumber(double value);

/// Converts a JSON integer into cents. Throws std::invalid_argument when it is negative
/// or exceeds kMaxPriceCents.
std::int64_t parsePriceInteger(std::int64_t value);

/// Formats cents as a decimal string with exactly two decimal places, such as "12.50".
std::string formatPrice(std::int64_t cents);

}  // namespace valhalla::plugins::items
