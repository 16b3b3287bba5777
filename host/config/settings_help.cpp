#include <algorithm>
#include <string_view>

#include "config/setting_table.hpp"
#include "config/settings.hpp"

namespace valhalla::host::config {

namespace {

constexpr std::string_view kUnsetMark = "-";
constexpr std::string_view kColumnGap = "  ";

constexpr std::string_view kHelpIntroduction =
    "Settings, lowest precedence first: built-in defaults, the configuration file, the .env\n"
    "file, the environment, then --define key=value. An empty environment variable, in the\n"
    "environment or in .env, counts as unset. Durations are seconds (5, 2.5) or a number\n"
    "with ms, s or m (500ms). Sizes are bytes or a number with KiB, MiB or GiB (8MiB).\n"
    "Relative paths are taken from the folder the server was started from. Plugins read\n"
    "their settings from plugins.<plugin name>.*.\n\n";

std::string_view orUnsetMark(std::string_view text) {
    return text.empty() ? kUnsetMark : text;
}

std::string padded(std::string_view text, std::size_t width) {
    std::string cell(text);
    cell.resize(std::max(width, text.size()), ' ');
    return cell;
}

struct ColumnWidths {
    std::size_t key = 3;
    std::size_t environment = 11;
    std::size_t default_value = 7;
};

ColumnWidths measureColumns() {
    ColumnWidths widths;
    for (const SettingSpec& spec : settingTable()) {
        widths.key = std::max(widths.key, spec.key.size());
        widths.environment =
            std::max(widths.environment, orUnsetMark(spec.environment_variable).size());
        widths.default_value =
            std::max(widths.default_value, orUnsetMark(spec.default_value).size());
    }
    return widths;
}

std::string formatRow(std::string_view key,
                      std::string_view environment,
                      std::string_view default_value,
                      std::string_view meaning,
                      const ColumnWidths& widths) {
    return padded(key, widths.key) + std::string(kColumnGap) +
           padded(environment, widths.environment) + std::string(kColumnGap) +
           padded(default_value, widths.default_value) + std::string(kColumnGap) +
           std::string(meaning) + "\n";
}

}  // namespace

std::string settingsHelp() {
    ColumnWidths widths = measureColumns();
    std::string help(kHelpIntroduction);
    help += formatRow("key", "environment", "default", "meaning", widths);
    for (const SettingSpec& spec : settingTable()) {
        help += formatRow(spec.key,
                          orUnsetMark(spec.environment_variable),
                          orUnsetMark(spec.default_value),
                          spec.help,
                          widths);
    }
    return help;
}

}  // namespace valhalla::host::config
