// Fuzzes parseEnvFile and the value parsers of value_parsers.hpp.
//
// The input is the text of a `.env` file. parseEnvFile may throw SettingsError, but any
// other exception escapes and counts as a crash. Every line of the input and every parsed value
// also goes through parseInteger, parseDuration, parseSize, parseBool and splitList, whose
// results are checked against their documented ranges and against formatDuration and
// formatSize: formatting a parsed value and parsing it again gives the same value.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "config/env_file.hpp"
#include "config/settings.hpp"
#include "config/value_parsers.hpp"

namespace {

namespace config = valhalla::host::config;

// Bounds the work per input, so the fuzzer spends its time on new inputs.
constexpr std::size_t kMaxCheckedValues = 64;

void require(bool condition, const char* invariant) {
    if (!condition) {
        std::fprintf(stderr, "invariant violated: %s\n", invariant);
        std::abort();
    }
}

bool isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void checkInteger(std::string_view text) {
    constexpr long long kLowest = std::numeric_limits<long long>::min();
    constexpr long long kHighest = std::numeric_limits<long long>::max();

    auto any = config::parseInteger(text, kLowest, kHighest);
    auto port = config::parseInteger(text, 1, 65535);

    if (port) {
        require(*port >= 1 && *port <= 65535, "parseInteger stays within min and max");
        require(any == port, "a narrower range accepts only values of the wider one");
    }
    if (any) {
        require(config::parseInteger(std::to_string(*any), kLowest, kHighest) == any,
                "parseInteger reads back its own decimal form");
    }
}

void checkDuration(std::string_view text) {
    auto duration = config::parseDuration(text);
    if (!duration) {
        return;
    }

    require(*duration >= std::chrono::milliseconds(1), "a duration is at least 1 ms");
    require(*duration <= config::kMaxDuration, "a duration is at most kMaxDuration");
    require(config::parseDuration(config::formatDuration(*duration)) == duration,
            "formatDuration output parses to the same duration");
}

void checkSize(std::string_view text) {
    auto size = config::parseSize(text);
    if (!size) {
        return;
    }

    require(*size >= 1, "a size is at least 1 byte");
    require(*size <= config::kMaxSize, "a size is at most kMaxSize");
    require(config::parseSize(config::formatSize(*size)) == size,
            "formatSize output parses to the same size");
}

void checkBool(std::string_view text) {
    auto value = config::parseBool(text);
    if (!value) {
        return;
    }

    require(config::parseBool(*value ? "true" : "false") == value, "parseBool is stable");
}

void checkList(std::string_view text) {
    for (const std::string& item : config::splitList(text)) {
        require(!item.empty(), "splitList drops empty items");
        require(item.find(',') == std::string::npos, "splitList items contain no comma");
        require(!isWhitespace(item.front()) && !isWhitespace(item.back()),
                "splitList items are trimmed");
    }
}

void checkValueParsers(std::string_view text) {
    checkInteger(text);
    checkDuration(text);
    checkSize(text);
    checkBool(text);
    checkList(text);

    std::string_view trimmed = config::trimWhitespace(text);
    require(trimmed.empty() || (!isWhitespace(trimmed.front()) && !isWhitespace(trimmed.back())),
            "trimWhitespace removes whitespace at both ends");
}

bool isValidKey(std::string_view key) {
    if (key.empty() || key.back() == '.' || key.find("..") != std::string_view::npos) {
        return false;
    }
    auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!is_letter(key.front()) && key.front() != '_') {
        return false;
    }
    return std::all_of(key.begin(), key.end(), [&](char c) {
        return is_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    });
}

void checkEnvFile(std::string_view text) {
    std::vector<config::EnvFileEntry> entries;
    try {
        entries = config::parseEnvFile(text, "fuzz.env");
    } catch (const config::SettingsError&) {
        return;
    }

    auto line_count = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    int previous_line = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        require(isValidKey(entries[i].key), "an entry key follows the documented syntax");
        require(entries[i].line > previous_line, "entries are in file order, one per line");
        require(entries[i].line <= line_count, "an entry line number lies within the file");
        previous_line = entries[i].line;
        if (i < kMaxCheckedValues) {
            checkValueParsers(entries[i].value);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);

    checkEnvFile(text);

    std::string_view rest = text;
    for (std::size_t count = 0; !rest.empty() && count < kMaxCheckedValues; ++count) {
        std::size_t newline = rest.find('\n');
        checkValueParsers(rest.substr(0, newline));
        rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    }
    return 0;
}
