#include "config/settings.hpp"

#include <algorithm>

#include <valhalla/sdk/abi.hpp>

#include "config/pool_size.hpp"
#include "config/setting_table.hpp"
#include "config/settings_layers.hpp"
#include "config/settings_paths.hpp"
#include "config/settings_reader.hpp"
#include "config/value_parsers.hpp"
#include <arpa/inet.h>

namespace valhalla::host::config {

namespace {

constexpr std::string_view kPathExpected = "expected a path without surrounding whitespace";

bool isIpAddress(const std::string& text) {
    in6_addr address{};
    return inet_pton(AF_INET, text.c_str(), &address) == 1 ||
           inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

std::vector<std::string> readTrustedProxies(const SettingsReader& reader) {
    std::vector<std::string> proxies = reader.list("server.trusted_proxies");
    for (const std::string& proxy : proxies) {
        if (!isIpAddress(proxy)) {
            reader.reject(
                "server.trusted_proxies", proxy, "expected comma-separated IPv4 or IPv6 addresses");
        }
    }
    return proxies;
}

// HTTPS needs both files and plain HTTP neither. The files are not opened here, so a file
// that is missing or does not match its pair is not detected by loadSettings.
void readTls(const SettingsReader& reader, const SettingsDirectories& directories, Settings& out) {
    out.tls_certificate = reader.path("server.tls.certificate", directories.start).string();
    out.tls_key = reader.path("server.tls.key", directories.start).string();
    if (out.tls_certificate.empty() == out.tls_key.empty()) {
        return;
    }
    const SettingSpec& set =
        *findSetting(out.tls_key.empty() ? "server.tls.certificate" : "server.tls.key");
    const SettingSpec& missing =
        *findSetting(out.tls_key.empty() ? "server.tls.key" : "server.tls.certificate");
    throw SettingsError(describeSettingName(set) + " is set but " + describeSettingName(missing) +
                        " is missing: set " + std::string(missing.key) +
                        " for HTTPS, or unset both for plain HTTP");
}

void readServer(const SettingsReader& reader,
                const SettingsDirectories& directories,
                Settings& out) {
    out.host = reader.nonEmpty("server.host", "expected a host name or IP address");
    out.port = static_cast<int>(reader.integer("server.port", 1, 65535));
    out.workers = static_cast<int>(reader.integer("server.workers", 1, 256));
    out.threads = static_cast<int>(reader.integer("server.threads", 1, 4096));
    out.queue_limit = static_cast<int>(reader.integer("server.queue_limit", 1, 1'000'000));
    out.queue_timeout = reader.duration("server.queue_timeout");
    out.head_timeout = reader.duration("server.head_timeout");
    out.keepalive_timeout = reader.duration("server.keepalive_timeout");
    out.max_body_size = reader.size("server.max_body_size");
    out.max_head_size = reader.size("server.max_head_size");
    out.max_header_line = reader.size("server.max_header_line");
    // Poco's request parser stops at 100 header fields, so more cannot be allowed.
    out.max_header_count = static_cast<int>(reader.integer("server.max_header_count", 1, 100));
    out.drain_timeout = reader.duration("server.drain_timeout");
    out.handler_timeout = reader.duration("server.handler_timeout");
    out.trusted_proxies = readTrustedProxies(reader);
    readTls(reader, directories, out);
}

std::string readRequiredPath(const SettingsReader& reader,
                             std::string_view key,
                             const std::filesystem::path& base) {
    reader.nonEmpty(key, kPathExpected);
    return reader.path(key, base).string();
}

std::vector<std::string> readRequiredPlugins(const SettingsReader& reader) {
    std::vector<std::string> plugins;
    for (const std::string& name : reader.list("plugins.required")) {
        if (!sdk::isValidPluginName(name)) {
            reader.reject("plugins.required",
                          name,
                          "expected comma-separated plugin names of 1 to 63 characters from "
                          "a-z, 0-9, '_' and '-', each starting with a letter");
        }
        if (std::find(plugins.begin(), plugins.end(), name) == plugins.end()) {
            plugins.push_back(name);
        }
    }
    return plugins;
}

void readPlugins(const SettingsReader& reader,
                 const SettingsDirectories& directories,
                 Settings& out) {
    out.plugin_directory = readRequiredPath(reader, "plugins.directory", directories.start);
    out.shadow_directory = readRequiredPath(reader, "plugins.shadow_directory", directories.start);
    out.required_plugins = readRequiredPlugins(reader);
    out.admin_token = reader.text("admin.token");
    out.readyz_require_database = reader.boolean("readyz.require_database");
}

// Poco's MySQL connector (SessionImpl::open in Data/MySQL) splits the connection string at
// each ';' and trims whitespace around each value, so neither can be passed through.
std::string readMysqlText(const SettingsReader& reader, std::string_view key) {
    std::string value = reader.text(key);
    if (value.find(';') != std::string::npos) {
        reader.reject(key,
                      value,
                      "';' is not allowed because the MySQL connection string separates "
                      "fields with ';'");
    }
    if (trimWhitespace(value) != value) {
        reader.reject(key,
                      value,
                      "leading or trailing whitespace is not allowed because the MySQL "
                      "connector strips it");
    }
    return value;
}

void requireMysqlValue(const std::string& value, std::string_view key) {
    if (!value.empty()) {
        return;
    }
    const SettingSpec& spec = *findSetting(key);
    throw SettingsError("database.connector is mysql but " + describeSettingName(spec) +
                        " is empty: set " + std::string(spec.environment_variable) + " or " +
                        std::string(spec.key) + ", or use database.connector=sqlite");
}

MysqlSettings readMysql(const SettingsReader& reader, bool required) {
    MysqlSettings mysql;
    mysql.host = readMysqlText(reader, "database.mysql.host");
    mysql.port = static_cast<int>(reader.integer("database.mysql.port", 1, 65535));
    mysql.user = readMysqlText(reader, "database.mysql.user");
    mysql.password = readMysqlText(reader, "database.mysql.password");
    mysql.database = readMysqlText(reader, "database.mysql.database");
    if (required) {
        requireMysqlValue(mysql.host, "database.mysql.host");
        requireMysqlValue(mysql.user, "database.mysql.user");
        requireMysqlValue(mysql.database, "database.mysql.database");
    }
    return mysql;
}

void readDatabase(const SettingsReader& reader,
                  const SettingsDirectories& directories,
                  Settings& out) {
    out.database_connector = reader.choice("database.connector", {"mysql", "sqlite"});
    out.mysql = readMysql(reader, out.database_connector == "mysql");
    out.pool_size = static_cast<std::size_t>(
        reader.integer("database.pool.size", 1, static_cast<long long>(kMaxPoolSize)));
    out.acquire_timeout = reader.duration("database.pool.acquire_timeout");
    out.statement_cache_size =
        static_cast<std::size_t>(reader.integer("database.pool.statement_cache_size", 0, 1000));
    out.sqlite_path = readRequiredPath(reader, "database.sqlite.path", directories.start);
}

void readLogging(const SettingsReader& reader,
                 const SettingsDirectories& directories,
                 Settings& out) {
    out.log_level = reader.choice("logging.level",
                                  {"trace", "debug", "info", "warn", "error", "critical", "off"});
    out.log_format = reader.choice("logging.format", {"text", "json"});
    out.log_file = reader.path("logging.file", directories.start).string();
}

}  // namespace

Settings loadSettings(const SettingsSources& sources) {
    SettingsDirectories directories = resolveDirectories(sources);
    SettingsLayers layers = readSettingsLayers(sources, directories);
    SettingsReader reader(layers);

    Settings settings;
    readServer(reader, directories, settings);
    readPlugins(reader, directories, settings);
    readDatabase(reader, directories, settings);
    readLogging(reader, directories, settings);
    settings.merged = layers.merged;
    return settings;
}

}  // namespace valhalla::host::config
