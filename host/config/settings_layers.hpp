#pragma once

#include <string>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <Poco/Util/LayeredConfiguration.h>

#include "config/settings.hpp"
#include "config/settings_paths.hpp"

namespace valhalla::host::config {

/// One source of settings.
struct SettingsLayer {
    /// Source of the values for messages, such as "the environment" or a file name.
    std::string origin;
    /// The values of this source, under their dotted keys.
    Poco::AutoPtr<Poco::Util::AbstractConfiguration> values;
};

/// Every source of settings and their merge.
struct SettingsLayers {
    /// Sources from the highest precedence (`--define`) to the lowest (built-in defaults).
    std::vector<SettingsLayer> layers;
    /// All layers in one configuration: a lookup returns the value of the highest layer
    /// that has the key.
    Poco::AutoPtr<Poco::Util::LayeredConfiguration> merged;

    /// Origin of the layer whose value for `key` wins, or "nowhere" when no layer has it.
    std::string originOf(const std::string& key) const;
};

/// Reads the `--define` pairs, the environment, the `.env` file, the configuration file
/// and the built-in defaults into layers, checking every key on the way.
///
/// The environment and `.env` set a setting through its environment variable, and an empty
/// variable counts as unset. `.env` may also set any dotted key; other names in it are
/// ignored. Throws SettingsError for an unreadable or malformed file, or for a key that is
/// neither a host setting nor under `plugins.<plugin name>.`.
SettingsLayers readSettingsLayers(const SettingsSources& sources,
                                  const SettingsDirectories& directories);

}  // namespace valhalla::host::config
