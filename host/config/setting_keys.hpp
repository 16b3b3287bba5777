#pragma once

#include <string_view>

namespace valhalla::host::config {

/// Checks that `key` is a host setting or lies under `plugins.<plugin name>.`, the free
/// section of each plugin. Otherwise throws SettingsError naming `key` and `origin`, the
/// source that sets it, such as a file name. A typo such as `server.prot` therefore stops
/// start-up instead of being ignored.
void checkSettingKey(std::string_view key, std::string_view origin);

}  // namespace valhalla::host::config
