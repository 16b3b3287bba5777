#include "config/settings_paths.hpp"

namespace valhalla::host::config {

SettingsDirectories resolveDirectories(const SettingsSources& sources) {
    std::filesystem::path start =
        makeAbsolute(sources.start_directory, std::filesystem::current_path());
    if (start.empty()) {
        start = std::filesystem::current_path();
    }

    std::filesystem::path executable = makeAbsolute(sources.executable_directory, start);
    if (executable.empty()) {
        executable = start;
    }
    return SettingsDirectories{start, executable};
}

std::filesystem::path makeAbsolute(std::string_view path, const std::filesystem::path& base) {
    if (path.empty()) {
        return {};
    }
    return (base / std::filesystem::path(path)).lexically_normal();
}

}  // namespace valhalla::host::config
