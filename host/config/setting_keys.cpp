#include "config/setting_keys.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <valhalla/sdk/abi.hpp>

#include "config/setting_table.hpp"
#include "config/settings.hpp"

namespace valhalla::host::config {

namespace {

constexpr std::string_view kPluginsPrefix = "plugins.";

// Largest edit distance at which an unknown key is taken for a typo of a known one.
constexpr std::size_t kMaxTypoDistance = 2;

std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> previous(b.size() + 1);
    std::vector<std::size_t> current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        previous[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::string suggestionFor(std::string_view key) {
    std::string_view best;
    std::size_t best_distance = kMaxTypoDistance + 1;
    for (const SettingSpec& spec : settingTable()) {
        std::size_t distance = editDistance(key, spec.key);
        if (distance < best_distance) {
            best = spec.key;
            best_distance = distance;
        }
    }
    return best.empty() ? std::string() : " Did you mean " + std::string(best) + "?";
}

// The plugin name in `plugins.<name>.<rest>`, or an empty view when `key` has no such form.
std::string_view pluginSectionName(std::string_view key) {
    if (!key.starts_with(kPluginsPrefix)) {
        return {};
    }
    std::string_view rest = key.substr(kPluginsPrefix.size());
    std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos || dot + 1 == rest.size()) {
        return {};
    }
    return rest.substr(0, dot);
}

}  // namespace

void checkSettingKey(std::string_view key, std::string_view origin) {
    if (findSetting(key) != nullptr) {
        return;
    }

    std::string_view plugin = pluginSectionName(key);
    if (!plugin.empty() && sdk::isValidPluginName(plugin)) {
        return;
    }
    if (!plugin.empty()) {
        throw SettingsError("invalid plugin name '" + std::string(plugin) + "' in setting '" +
                            std::string(key) + "' in " + std::string(origin) +
                            ": a plugin name has 1 to 63 characters from a-z, 0-9, '_' and '-' "
                            "and starts with a letter");
    }
    throw SettingsError("unknown setting '" + std::string(key) + "' in " + std::string(origin) +
                        "." + suggestionFor(key) +
                        " `valhalla --help` lists every setting, and a plugin's settings go "
                        "under plugins.<plugin name>.");
}

}  // namespace valhalla::host::config
