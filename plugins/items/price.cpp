#include "price.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace valhalla::plugins::items {

namespace {

/// Number of integer digits above which a price is certainly too large. The bound also
/// keeps the cents computation below from overflowing.
constexpr std::size_t kMaxIntegerDigits = 12;

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

bool allDigits(std::string_view text) {
    for (char c : text) {
        if (!isDigit(c)) {
            return false;
        }
    }
    return true;
}

std::int64_t digitsValue(std::string_view digits) {
    std::int64_t value = 0;
    for (char c : digits) {
        value = value * 10 + (c - '0');
    }
    return value;
}

[[noreturn]] void throwTooLarge() {
    throw std::invalid_argument("must be at most 99999999.99");
}

[[noreturn]] void throwNegative() {
    throw std::invalid_argument("must not be negative");
}

}  // namespace

std::int64_t parsePriceText(std::string_view text) {
    if (!text.empty() && text.front() == '-') {
        throwNegative();
    }
    std::size_t point = text.find('.');
    std::string_view integer_part = text.substr(0, point);
    std::string_view fraction_part =
        point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
    bool has_point = point != std::string_view::npos;
    if (integer_part.empty() || !allDigits(integer_part) || !allDigits(fraction_part) ||
        (has_point && fraction_part.empty())) {
        throw std::invalid_argument("must be a decimal string such as \"12.50\"");
    }
    if (fraction_part.size() > 2) {
        throw std::invalid_argument("must have at most 2 decimal places");
    }

    std::size_t first_significant = integer_part.find_first_not_of('0');
    if (first_significant != std::string_view::npos &&
        integer_part.size() - first_significant > kMaxIntegerDigits) {
        throwTooLarge();
    }
    std::int64_t cents = digitsValue(integer_part) * 100;
    if (fraction_part.size() == 1) {
        cents += digitsValue(fraction_part) * 10;
    } else if (fraction_part.size() == 2) {
        cents += digitsValue(fraction_part);
    }
    if (cents > kMaxPriceCents) {
        throwTooLarge();
    }
    return cents;
}

std::int64_t parsePriceNumber(double value) {
    if (value < 0) {
        throwNegative();
    }
    // Fixed notation of the shortest text that reads back as the same double: 12.5 is
    // "12.5" and 0.1 is "0.1", never "0.1000000000000000055". 400 characters hold every
    // finite double.
    std::array<char, 400> buffer{};
    auto [end, error] = std::to_chars(
        buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
    if (error != std::errc()) {
        throwTooLarge();
    }
    return parsePriceText(
        std::string_view(buffer.data(), static_cast<std::size_t>(end - buffer.data())));
}

std::int64_t parsePriceInteger(std::int64_t value) {
    if (value < 0) {
        throwNegative();
    }
    if (value > kMaxPriceCents / 100) {
        throwTooLarge();
    }
    return value * 100;
}

std::string formatPrice(std::int64_t cents) {
    std::array<char, 32> buffer{};
    int length = std::snprintf(buffer.data(),
                               buffer.size(),
                               "%lld.%02lld",
                               static_cast<long long>(cents / 100),
                               static_cast<long long>(cents % 100));
    return std::string(buffer.data(), static_cast<std::size_t>(length));
}

}  // namespace valhalla::plugins::items
