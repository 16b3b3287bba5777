#pragma once

#include <filesystem>
#include <string_view>

#include "config/settings.hpp"

namespace valhalla::host::config {

/// The two folders that relative paths and default paths are based on, both absolute.
struct SettingsDirectories {
    /// Folder the server was started from: SettingsSources::start_directory, or the
    /// current folder when that is empty.
    std::filesystem::path start;
    /// Folder of the executable: SettingsSources::executable_directory, or `start` when
    /// that is empty.
    std::filesystem::path executable;
};

/// Makes both folders of `sources` absolute and normal, filling in the empty ones.
SettingsDirectories resolveDirectories(const SettingsSources& sources);

/// `path` made absolute against `base` and lexically normal (no `.` or `..` parts).
/// An empty `path` stays empty.
std::filesystem::path makeAbsolute(std::string_view path, const std::filesystem::path& base);

}  // namespace valhalla::host::config
