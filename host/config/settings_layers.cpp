#include "config/settings_layers.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <Poco/Util/MapConfiguration.h>

#include "config/config_file.hpp"
#include "config/env_file.hpp"
#include "config/pool_size.hpp"
#include "config/setting_keys.hpp"
#include "config/setting_table.hpp"

namespace valhalla::host::config {

namespace {

constexpr const char* kDefaultEnvFileName = ".env";

using MapPtr = Poco::AutoPtr<Poco::Util::MapConfiguration>;

MapPtr makeDefaultsLayer(const SettingsDirectories& directories) {
    MapPtr defaults = new Poco::Util::MapConfiguration;
    for (const SettingSpec& spec : settingTable()) {
        if (!spec.computed_default && !spec.default_value.empty()) {
            defaults->setString(std::string(spec.key), std::string(spec.default_value));
        }
    }
    defaults->setString("plugins.directory",
                        makeAbsolute("../plugins", directories.executable).string());
    defaults->setString("database.pool.size", std::to_string(defaultPoolSize()));
    return defaults;
}

MapPtr makeEnvironmentLayer(const std::map<std::string, std::string>& environment) {
    MapPtr layer = new Poco::Util::MapConfiguration;
    for (const SettingSpec& spec : settingTable()) {
        if (spec.environment_variable.empty()) {
            continue;
        }
        auto found = environment.find(std::string(spec.environment_variable));
        if (found != environment.end() && !found->second.empty()) {
            layer->setString(std::string(spec.key), found->second);
        }
    }
    return layer;
}

std::string readEnvFileText(const std::filesystem::path& path) {
    if (!std::filesystem::is_regular_file(path)) {
        throw SettingsError("cannot read .env file " + path.string() + ": not a regular file");
    }
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        throw SettingsError("cannot read .env file " + path.string() + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

// Names that are neither dotted keys nor environment variables of a setting belong to
// other programs that read the same file, so they are skipped.
void addEnvFileEntry(Poco::Util::MapConfiguration& layer,
                     const EnvFileEntry& entry,
                     const std::filesystem::path& path) {
    if (entry.key.find('.') != std::string::npos) {
        checkSettingKey(entry.key, path.string() + " line " + std::to_string(entry.line));
        layer.setString(entry.key, entry.value);
        return;
    }
    const SettingSpec* spec = findSettingByEnvironmentVariable(entry.key);
    if (spec != nullptr && !entry.value.empty()) {
        layer.setString(std::string(spec->key), entry.value);
    }
}

MapPtr makeEnvFileLayer(const std::filesystem::path& path) {
    MapPtr layer = new Poco::Util::MapConfiguration;
    if (!std::filesystem::exists(path)) {
        return layer;
    }
    for (const EnvFileEntry& entry : parseEnvFile(readEnvFileText(path), path.string())) {
        addEnvFileEntry(*layer, entry, path);
    }
    return layer;
}

MapPtr makeDefineLayer(const std::vector<std::pair<std::string, std::string>>& defines) {
    MapPtr layer = new Poco::Util::MapConfiguration;
    for (const auto& [key, value] : defines) {
        checkSettingKey(key, "--define");
        layer->setString(key, value);
    }
    return layer;
}

std::filesystem::path envFilePath(const SettingsSources& sources,
                                  const SettingsDirectories& directories) {
    if (sources.env_file.empty()) {
        return directories.start / kDefaultEnvFileName;
    }
    return makeAbsolute(sources.env_file, directories.start);
}

// The connector default depends on database.mysql.host from every other layer, so it is
// set once those are merged.
void addConnectorDefault(Poco::Util::MapConfiguration& defaults,
                         const Poco::Util::AbstractConfiguration& merged) {
    bool has_mysql_host = !merged.getRawString("database.mysql.host", "").empty();
    defaults.setString("database.connector", has_mysql_host ? "mysql" : "sqlite");
}

}  // namespace

std::string SettingsLayers::originOf(const std::string& key) const {
    for (const SettingsLayer& layer : layers) {
        if (layer.values->has(key)) {
            return layer.origin;
        }
    }
    return "nowhere";
}

SettingsLayers readSettingsLayers(const SettingsSources& sources,
                                  const SettingsDirectories& directories) {
    SettingsLayers result;
    result.layers.push_back({"--define", makeDefineLayer(sources.defines)});
    result.layers.push_back({"the environment", makeEnvironmentLayer(sources.environment)});
    std::filesystem::path env_file = envFilePath(sources, directories);
    result.layers.push_back({env_file.string(), makeEnvFileLayer(env_file)});
    if (auto config_file = findConfigFile(sources, directories)) {
        result.layers.push_back({config_file->string(), readConfigFile(*config_file)});
    }
    MapPtr defaults = makeDefaultsLayer(directories);
    result.layers.push_back({"the built-in default", defaults});

    result.merged = new Poco::Util::LayeredConfiguration;
    int priority = 0;
    for (const SettingsLayer& layer : result.layers) {
        result.merged->add(layer.values, layer.origin, priority++, false);
    }
    addConnectorDefault(*defaults, *result.merged);
    return result;
}

}  // namespace valhalla::host::config
