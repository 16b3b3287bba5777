#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>

namespace valhalla::host::config {

/// Connection settings of the MySQL or MariaDB server (`database.mysql.*`).
struct MysqlSettings {
    std::string host;
    int port = 3306;
    std::string user;
    std::string password;
    std::string database;
};

/// Validated, typed settings of one valhalla process. Paths are absolute.
struct Settings {
    std::string host = "0.0.0.0";
    int port = 5000;
    int workers = 1;
    int threads = 32;
    int queue_limit = 1024;
    std::chrono::milliseconds queue_timeout{5000};
    std::chrono::milliseconds head_timeout{10000};
    std::chrono::milliseconds keepalive_timeout{15000};
    std::size_t max_body_size = 8 * 1024 * 1024;
    std::size_t max_head_size = 32 * 1024;
    std::size_t max_header_line = 8 * 1024;
    int max_header_count = 100;
    std::chrono::milliseconds drain_timeout{8000};
    std::chrono::milliseconds handler_timeout{30000};
    std::vector<std::string> trusted_proxies;

    std::string tls_certificate;  // empty: plain HTTP
    std::string tls_key;          // empty: plain HTTP

    std::string plugin_directory;
    std::string shadow_directory;
    std::vector<std::string> required_plugins;

    std::string admin_token;  // empty: admin API off
    bool readyz_require_database = false;

    std::string database_connector;  // "mysql" or "sqlite"
    MysqlSettings mysql;
    std::size_t pool_size = 0;
    std::chrono::milliseconds acquire_timeout{2000};
    std::size_t statement_cache_size = 32;
    std::string sqlite_path;

    std::string log_level = "info";
    std::string log_format = "text";
    std::string log_file;  // empty: stdout

    /// Every source merged by precedence; plugins read `plugins.<name>.*` from it.
    Poco::AutoPtr<Poco::Util::AbstractConfiguration> merged;
};

/// Sources of the settings, lowest precedence first after the built-in defaults.
struct SettingsSources {
    /// `--config-file`; empty means `etc/valhalla.properties` in the start folder,
    /// then `../etc/valhalla.properties` next to the executable, if either exists.
    std::string config_file;
    /// The `.env` file; empty means `.env` in start_directory. A missing file is not an error.
    std::string env_file;
    /// The process environment.
    std::map<std::string, std::string> environment;
    /// `--define key=value` pairs in command-line order.
    std::vector<std::pair<std::string, std::string>> defines;
    /// Folder the server was started from; relative paths are resolved against it.
    std::string start_directory;
    /// Folder of the valhalla executable; default plugin folder is `../plugins` from it.
    std::string executable_directory;
};

/// Thrown when a setting is invalid or a source cannot be read. The message names
/// the key, the environment variable if any, the value and what is allowed.
class SettingsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Reads every source, merges them by precedence and validates the result.
/// Throws SettingsError on the first invalid value or unreadable file.
Settings loadSettings(const SettingsSources& sources);

/// Lines that describe the effective settings for the start-up log, secrets masked.
std::vector<std::string> describeSettings(const Settings& settings);

/// Help text listing every setting with its environment variable and default.
std::string settingsHelp();

}  // namespace valhalla::host::config
