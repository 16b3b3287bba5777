#pragma once

#include <filesystem>
#include <optional>

#include <Poco/AutoPtr.h>
#include <Poco/Util/AbstractConfiguration.h>

#include "config/settings.hpp"
#include "config/settings_paths.hpp"

namespace valhalla::host::config {

/// File name of the configuration file that is looked for when none is given.
inline constexpr const char* kDefaultConfigFileName = "valhalla.properties";

/// Finds the configuration file: SettingsSources::config_file made absolute, else the
/// first existing of `<start>/etc/valhalla.properties` and
/// `<executable>/../etc/valhalla.properties`. Returns nullopt when no file was given and
/// neither exists. Throws SettingsError when the given file does not exist.
std::optional<std::filesystem::path> findConfigFile(const SettingsSources& sources,
                                                    const SettingsDirectories& directories);

/// Reads a configuration file in the format its extension names: `.properties`, `.ini` or
/// `.xml`, in any letter case, and checks every key with checkSettingKey. Throws
/// SettingsError naming the file for another extension, when Poco cannot read or parse
/// it, or for an unknown key.
Poco::AutoPtr<Poco::Util::AbstractConfiguration> readConfigFile(const std::filesystem::path& path);

}  // namespace valhalla::host::config
