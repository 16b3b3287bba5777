#include "config/settings_reader.hpp"

#include <algorithm>

#include "config/setting_table.hpp"
#include "config/settings_paths.hpp"
#include "config/value_parsers.hpp"

namespace valhalla::host::config {

namespace {

constexpr std::string_view kDurationSyntax =
    "a duration from 1 ms to 24 h: seconds such as 5 or 2.5, or a number with ms, s or m "
    "such as 500ms";
constexpr std::string_view kSizeSyntax =
    "a size greater than 0: bytes, or a number with KiB, MiB or GiB (or K, M, G) such as 8MiB";

std::string joinChoices(std::initializer_list<std::string_view> allowed) {
    std::string joined;
    std::size_t index = 0;
    for (std::string_view choice : allowed) {
        if (index > 0) {
            joined += index + 1 == allowed.size() ? " or " : ", ";
        }
        joined += choice;
        ++index;
    }
    return joined;
}

}  // namespace

std::string SettingsReader::text(std::string_view key) const {
    return layers_.merged->getRawString(std::string(key), "");
}

long long SettingsReader::integer(std::string_view key, long long min, long long max) const {
    std::string value = text(key);
    auto parsed = parseInteger(value, min, max);
    if (!parsed) {
        reject(key,
               value,
               "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return *parsed;
}

std::chrono::milliseconds SettingsReader::duration(std::string_view key) const {
    std::string value = text(key);
    auto parsed = parseDuration(value);
    if (!parsed) {
        reject(key, value, "expected " + std::string(kDurationSyntax));
    }
    return *parsed;
}

std::size_t SettingsReader::size(std::string_view key) const {
    std::string value = text(key);
    auto parsed = parseSize(value);
    if (!parsed) {
        reject(key, value, "expected " + std::string(kSizeSyntax));
    }
    return *parsed;
}

bool SettingsReader::boolean(std::string_view key) const {
    std::string value = text(key);
    auto parsed = parseBool(value);
    if (!parsed) {
        reject(key, value, "expected true, false, yes, no, on, off, 1 or 0");
    }
    return *parsed;
}

std::string SettingsReader::choice(std::string_view key,
                                   std::initializer_list<std::string_view> allowed) const {
    std::string value = text(key);
    std::string lower = toLowerAscii(trimWhitespace(value));
    if (std::find(allowed.begin(), allowed.end(), lower) == allowed.end()) {
        reject(key, value, "expected " + joinChoices(allowed));
    }
    return lower;
}

std::vector<std::string> SettingsReader::list(std::string_view key) const {
    return splitList(text(key));
}

std::filesystem::path SettingsReader::path(std::string_view key,
                                           const std::filesystem::path& base) const {
    return makeAbsolute(text(key), base);
}

std::string SettingsReader::nonEmpty(std::string_view key, std::string_view expected) const {
    std::string value = text(key);
    if (value.empty() || trimWhitespace(value) != value) {
        reject(key, value, expected);
    }
    return value;
}

void SettingsReader::reject(std::string_view key,
                            std::string_view value,
                            std::string_view expected) const {
    const SettingSpec* spec = findSetting(key);
    std::string name = spec != nullptr ? describeSettingName(*spec) : std::string(key);
    bool secret = spec != nullptr && spec->secret;
    throw SettingsError("invalid value '" + (secret ? std::string("***") : std::string(value)) +
                        "' for " + name + ": " + std::string(expected) + ". The value comes from " +
                        layers_.originOf(std::string(key)) + ".");
}

}  // namespace valhalla::host::config
