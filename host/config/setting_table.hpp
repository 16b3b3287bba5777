#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace valhalla::host::config {

/// One setting of the host: its key, environment variable, default and help text.
struct SettingSpec {
    /// Dotted key, such as `server.port`.
    std::string_view key;
    /// Environment variable that sets the key; empty when there is none.
    std::string_view environment_variable;
    /// Default in the syntax a user writes; empty means unset. When `computed_default`
    /// is true this is a description for the help text, not a value.
    std::string_view default_value;
    /// One-line meaning with the unit or the allowed values.
    std::string_view help;
    /// Whether the default depends on the machine, the install folder or other settings.
    bool computed_default = false;
    /// Whether the value is secret: logs and error messages show `***` instead.
    bool secret = false;
};

/// Number of settings of the host.
inline constexpr std::size_t kSettingCount = 35;

/// Every setting of the host, in the order of the help text.
std::span<const SettingSpec> settingTable();

/// The setting with `key`, or nullptr when the host has no such setting.
const SettingSpec* findSetting(std::string_view key);

/// The setting that environment variable `name` sets, or nullptr when none does.
const SettingSpec* findSettingByEnvironmentVariable(std::string_view name);

/// Names a setting for messages: `server.port (FLASK_PORT)`, or just the key when no
/// environment variable sets it.
std::string describeSettingName(const SettingSpec& spec);

}  // namespace valhalla::host::config
