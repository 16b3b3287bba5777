#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace valhalla::host::config {

/// Maximum duration any setting accepts. It keeps every timeout within the `int`
/// milliseconds that poll(2) takes.
inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24);

/// Maximum size any setting accepts: the largest value of a signed 64-bit content length.
inline constexpr std::size_t kMaxSize = 0x7fff'ffff'ffff'ffffULL;

/// `text` with the ASCII letters A-Z in lower case.
std::string toLowerAscii(std::string_view text);

/// `text` without leading and trailing spaces, tabs, carriage returns and newlines.
std::string_view trimWhitespace(std::string_view text);

/// Parses a decimal integer from `min` to `max`; surrounding whitespace is ignored.
/// Returns nullopt for anything else, including a sign of '+'.
std::optional<long long> parseInteger(std::string_view text, long long min, long long max);

/// Parses a duration: seconds (`5`, `2.5`) or a number with the suffix `ms`, `s` or `m`
/// (`500ms`, `5s`, `1.5m`). Returns nullopt unless the result rounds to 1 ms or more and
/// is at most kMaxDuration.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

/// Parses a size: whole bytes (`1048576`) or a number with a binary suffix `KiB`, `MiB`,
/// `GiB` or the short forms `K`, `M`, `G`, in any letter case (`8MiB`, `1.5k`). Returns
/// nullopt unless the result is at least 1 byte and at most kMaxSize.
std::optional<std::size_t> parseSize(std::string_view text);

/// Parses true/false, yes/no, on/off or 1/0 in any letter case.
std::optional<bool> parseBool(std::string_view text);

/// Splits a comma-separated list, trims each item and drops empty items.
std::vector<std::string> splitList(std::string_view text);

/// Formats a duration in the largest of `m`, `s` or `ms` that shows it exactly.
std::string formatDuration(std::chrono::milliseconds duration);

/// Formats a size in the largest of `GiB`, `MiB`, `KiB` or bytes that shows it exactly.
std::string formatSize(std::size_t bytes);

}  // namespace valhalla::host::config
