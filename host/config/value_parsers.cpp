#include "config/value_parsers.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace valhalla::host::config {

namespace {

constexpr std::string_view kWhitespace = " \t\r\n";

// Length of the leading unsigned decimal number in `text`, such as "2.5" in "2.5s": digits
// with at most one '.', and at least one digit. Exponents, signs, "inf" and "nan" are not
// part of it, which is why this does not rely on from_chars alone.
std::size_t numberLength(std::string_view text) {
    std::size_t length = 0;
    bool seen_digit = false;
    bool seen_point = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            seen_digit = true;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
        ++length;
    }
    return seen_digit ? length : 0;
}

// Splits `text` into its leading number and the suffix after it.
std::optional<std::pair<double, std::string>> splitNumberAndSuffix(std::string_view text) {
    std::string_view trimmed = trimWhitespace(text);
    std::size_t length = numberLength(trimmed);
    if (length == 0) {
        return std::nullopt;
    }
    double number = 0;
    auto [end, error] =
        std::from_chars(trimmed.data(), trimmed.data() + length, number, std::chars_format::fixed);
    if (error != std::errc() || end != trimmed.data() + length) {
        return std::nullopt;
    }
    return std::pair{number, toLowerAscii(trimmed.substr(length))};
}

std::optional<double> durationUnitInMilliseconds(std::string_view suffix) {
    if (suffix.empty() || suffix == "s") {
        return 1000.0;
    }
    if (suffix == "ms") {
        return 1.0;
    }
    if (suffix == "m") {
        return 60'000.0;
    }
    return std::nullopt;
}

std::optional<double> sizeUnitInBytes(std::string_view suffix) {
    constexpr double kKibibyte = 1024.0;
    if (suffix == "k" || suffix == "kib") {
        return kKibibyte;
    }
    if (suffix == "m" || suffix == "mib") {
        return kKibibyte * kKibibyte;
    }
    if (suffix == "g" || suffix == "gib") {
        return kKibibyte * kKibibyte * kKibibyte;
    }
    return std::nullopt;
}

}  // namespace

std::string toLowerAscii(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    });
    return lower;
}

std::string_view trimWhitespace(std::string_view text) {
    std::size_t first = text.find_first_not_of(kWhitespace);
    if (first == std::string_view::npos) {
        return {};
    }
    std::size_t last = text.find_last_not_of(kWhitespace);
    return text.substr(first, last - first + 1);
}

std::optional<long long> parseInteger(std::string_view text, long long min, long long max) {
    std::string_view trimmed = trimWhitespace(text);
    long long value = 0;
    auto [end, error] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
    if (trimmed.empty() || error != std::errc() || end != trimmed.data() + trimmed.size()) {
        return std::nullopt;
    }
    if (value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
    auto parsed = splitNumberAndSuffix(text);
    if (!parsed) {
        return std::nullopt;
    }
    auto unit = durationUnitInMilliseconds(parsed->second);
    if (!unit) {
        return std::nullopt;
    }

    double milliseconds = std::round(parsed->first * *unit);
    if (milliseconds < 1.0 || milliseconds > static_cast<double>(kMaxDuration.count())) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<long long>(milliseconds));
}

std::optional<std::size_t> parseSize(std::string_view text) {
    auto parsed = splitNumberAndSuffix(text);
    if (!parsed) {
        return std::nullopt;
    }
    if (parsed->second.empty()) {
        auto bytes = parseInteger(text, 1, static_cast<long long>(kMaxSize));
        return bytes ? std::optional<std::size_t>(static_cast<std::size_t>(*bytes)) : std::nullopt;
    }
    auto unit = sizeUnitInBytes(parsed->second);
    if (!unit) {
        return std::nullopt;
    }

    double bytes = std::floor(parsed->first * *unit);
    // 2^63 is exact as a double, and every double below it fits kMaxSize.
    if (bytes < 1.0 || bytes >= 9223372036854775808.0) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(bytes);
}

std::optional<bool> parseBool(std::string_view text) {
    std::string lower = toLowerAscii(trimWhitespace(text));
    if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") {
        return true;
    }
    if (lower == "false" || lower == "no" || lower == "off" || lower == "0") {
        return false;
    }
    return std::nullopt;
}

std::vector<std::string> splitList(std::string_view text) {
    std::vector<std::string> items;
    while (true) {
        std::size_t comma = text.find(',');
        std::string_view item = trimWhitespace(text.substr(0, comma));
        if (!item.empty()) {
            items.emplace_back(item);
        }
        if (comma == std::string_view::npos) {
            return items;
        }
        text.remove_prefix(comma + 1);
    }
}

std::string formatDuration(std::chrono::milliseconds duration) {
    long long milliseconds = duration.count();
    if (milliseconds != 0 && milliseconds % 60'000 == 0) {
        return std::to_string(milliseconds / 60'000) + "m";
    }
    if (milliseconds % 1000 == 0) {
        return std::to_string(milliseconds / 1000) + "s";
    }
    return std::to_string(milliseconds) + "ms";
}

std::string formatSize(std::size_t bytes) {
    constexpr std::array<std::pair<std::size_t, std::string_view>, 3> kUnits = {{
        {std::size_t{1} << 30, "GiB"},
        {std::size_t{1} << 20, "MiB"},
        {std::size_t{1} << 10, "KiB"},
    }};
    for (const auto& [unit, suffix] : kUnits) {
        if (bytes != 0 && bytes % unit == 0) {
            return std::to_string(bytes / unit) + std::string(suffix);
        }
    }
    return std::to_string(bytes);
}

}  // namespace valhalla::host::config
