#include "config/config_file.hpp"

#include <string>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <Poco/Util/XMLConfiguration.h>

#include "config/setting_keys.hpp"
#include "config/value_parsers.hpp"

namespace valhalla::host::config {

namespace {

std::string lowerCaseExtension(const std::filesystem::path& path) {
    return toLowerAscii(path.extension().string());
}

Poco::AutoPtr<Poco::Util::AbstractConfiguration> parseByExtension(
    const std::filesystem::path& path) {
    std::string extension = lowerCaseExtension(path);
    if (extension == ".properties") {
        return new Poco::Util::PropertyFileConfiguration(path.string());
    }
    if (extension == ".ini") {
        return new Poco::Util::IniFileConfiguration(path.string());
    }
    if (extension == ".xml") {
        return new Poco::Util::XMLConfiguration(path.string());
    }
    throw SettingsError("unsupported configuration file format '" + path.string() +
                        "': use a file ending in .properties, .ini or .xml");
}

// Adds every key of `config` under `prefix` to `keys`. A key with sub-keys is added too
// when it has its own value, except in XML, where Poco returns the text of an element's
// children as the element's value.
void collectKeys(const Poco::Util::AbstractConfiguration& config,
                 const std::string& prefix,
                 bool is_xml,
                 std::vector<std::string>& keys) {
    Poco::Util::AbstractConfiguration::Keys children;
    config.keys(prefix, children);
    if (!prefix.empty() && (children.empty() || (!is_xml && config.has(prefix)))) {
        keys.push_back(prefix);
    }
    for (const std::string& child : children) {
        collectKeys(config, prefix.empty() ? child : prefix + "." + child, is_xml, keys);
    }
}

void checkKeys(const Poco::Util::AbstractConfiguration& config, const std::filesystem::path& path) {
    std::vector<std::string> keys;
    collectKeys(config, "", lowerCaseExtension(path) == ".xml", keys);
    for (const std::string& key : keys) {
        checkSettingKey(key, path.string());
    }
}

}  // namespace

std::optional<std::filesystem::path> findConfigFile(const SettingsSources& sources,
                                                    const SettingsDirectories& directories) {
    if (!sources.config_file.empty()) {
        std::filesystem::path path = makeAbsolute(sources.config_file, directories.start);
        if (!std::filesystem::exists(path)) {
            throw SettingsError("configuration file not found: " + path.string());
        }
        return path;
    }

    for (const std::filesystem::path& folder :
         {directories.start / "etc", directories.executable / ".." / "etc"}) {
        std::filesystem::path candidate = (folder / kDefaultConfigFileName).lexically_normal();
        if (std::filesystem::exists(candidate)) {
            return candidate;
        }
    }
    return std::nullopt;
}

Poco::AutoPtr<Poco::Util::AbstractConfiguration> readConfigFile(const std::filesystem::path& path) {
    Poco::AutoPtr<Poco::Util::AbstractConfiguration> config;
    try {
        config = parseByExtension(path);
    } catch (const Poco::Exception& error) {
        throw SettingsError("cannot read configuration file " + path.string() + ": " +
                            error.displayText());
    }
    checkKeys(*config, path);
    return config;
}

}  // namespace valhalla::host::config
