#include "utf8.hpp"

#include <cstdint>

namespace valhalla::plugins::items {

namespace {

/// Length of the sequence that starts with `lead`, or 0 when `lead` cannot start one.
std::size_t sequenceLength(std::uint8_t lead) {
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        return 2;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        return 4;
    }
    return 0;
}

/// Returns whether the second byte of a sequence is allowed after `lead`. The narrowed ranges
/// after E0, ED, F0 and F4 reject overlong forms, surrogates and values above U+10FFFF.
bool isValidSecondByte(std::uint8_t lead, std::uint8_t second) {
    switch (lead) {
        case 0xE0:
            return second >= 0xA0 && second <= 0xBF;
        case 0xED:
            return second >= 0x80 && second <= 0x9F;
        case 0xF0:
            return second >= 0x90 && second <= 0xBF;
        case 0xF4:
            return second >= 0x80 && second <= 0x8F;
        default:
            return second >= 0x80 && second <= 0xBF;
    }
}

bool isContinuationByte(std::uint8_t byte) {
    return byte >= 0x80 && byte <= 0xBF;
}

}  // namespace

std::optional<std::size_t> countCodePoints(std::string_view text) {
    std::size_t count = 0;
    std::size_t position = 0;
    while (position < text.size()) {
        auto lead = static_cast<std::uint8_t>(text[position]);
        std::size_t length = sequenceLength(lead);
        if (length == 0 || position + length > text.size()) {
            return std::nullopt;
        }
        if (length > 1 && !isValidSecondByte(lead, static_cast<std::uint8_t>(text[position + 1]))) {
            return std::nullopt;
        }
        for (std::size_t i = 2; i < length; ++i) {
            if (!isContinuationByte(static_cast<std::uint8_t>(text[position + i]))) {
                return std::nullopt;
            }
        }
        position += length;
        ++count;
    }
    return count;
}

}  // namespace valhalla::plugins::items
