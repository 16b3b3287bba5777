#include "config/setting_table.hpp"

#include <array>

namespace valhalla::host::config {

namespace {

// The one list of host settings: the environment mapping, the defaults, the unknown-key
// check, the start-up log and `--help` all read it.
constexpr std::array kSettingTable = {
    SettingSpec{"server.host", "FLASK_HOST", "0.0.0.0", "address to listen on"},
    SettingSpec{"server.port", "FLASK_PORT", "5000", "TCP port to listen on, 1-65535"},
    SettingSpec{"server.workers", "WORKERS", "1", "worker processes, 1-256"},
    SettingSpec{"server.threads", "SERVER_THREADS", "32", "request threads per worker, 1-4096"},
    SettingSpec{"server.queue_limit",
                "SERVER_QUEUE_LIMIT",
                "1024",
                "ready requests waiting for a thread, 1-1000000"},
    SettingSpec{"server.queue_timeout",
                "",
                "5s",
                "duration a ready request waits for a thread before a 503"},
    SettingSpec{"server.head_timeout",
                "",
                "10s",
                "duration to receive a whole request head, including the TLS handshake of a "
                "new HTTPS connection"},
    SettingSpec{"server.keepalive_timeout",
                "",
                "15s",
                "idle duration before a keep-alive connection closes"},
    SettingSpec{"server.max_body_size", "", "8MiB", "largest request body, 413 above"},
    SettingSpec{"server.max_head_size",
                "",
                "32KiB",
                "largest request head (request line and headers), 431 above"},
    SettingSpec{"server.max_header_line", "", "8KiB", "longest line of a request head, 431 above"},
    SettingSpec{
        "server.max_header_count", "", "100", "most header fields in a request, 1-100, 431 above"},
    SettingSpec{"server.drain_timeout",
                "DRAIN_TIMEOUT",
                "8s",
                "duration a stopping worker waits for requests in flight"},
    SettingSpec{
        "server.handler_timeout", "", "30s", "duration before a running handler counts as stuck"},
    SettingSpec{"server.trusted_proxies",
                "",
                "",
                "comma-separated IP addresses whose X-Forwarded-For is trusted"},
    SettingSpec{"server.tls.certificate",
                "SSL_CERT_PATH",
                "",
                "PEM certificate file for HTTPS, unset for plain HTTP"},
    SettingSpec{"server.tls.key",
                "SSL_KEY_PATH",
                "",
                "PEM private key file for HTTPS, unset for plain HTTP"},
    SettingSpec{"plugins.directory",
                "PLUGIN_DIR",
                "<executable folder>/../plugins",
                "folder scanned for plugin .so files",
                true},
    SettingSpec{"plugins.shadow_directory",
                "",
                "var/generations",
                "private folder for plugin generations, on a file system without noexec"},
    SettingSpec{
        "plugins.required", "PLUGINS_REQUIRED", "", "comma-separated plugin names that must load"},
    SettingSpec{"admin.token",
                "ADMIN_TOKEN",
                "",
                "bearer token of the admin API, unset turns the API off",
                false,
                true},
    SettingSpec{"readyz.require_database",
                "",
                "false",
                "whether /readyz returns 503 while the database is down"},
    SettingSpec{"database.connector",
                "DB_CONNECTOR",
                "mysql/sqlite",
                "mysql or sqlite, by default mysql when database.mysql.host is set",
                true},
    SettingSpec{"database.mysql.host", "MYSQL_HOST", "", "MySQL or MariaDB server host"},
    SettingSpec{"database.mysql.port", "MYSQL_PORT", "3306", "MySQL server port, 1-65535"},
    SettingSpec{"database.mysql.user", "MYSQL_USER", "", "MySQL user name"},
    SettingSpec{"database.mysql.password", "MYSQL_PASSWORD", "", "MySQL password", false, true},
    SettingSpec{"database.mysql.database", "MYSQL_DATABASE", "", "MySQL database name"},
    SettingSpec{"database.pool.size",
                "MYSQL_POOL_SIZE",
                "5 x CPU cores",
                "database sessions per worker, 1-10000",
                true},
    SettingSpec{"database.pool.acquire_timeout",
                "",
                "2s",
                "duration to wait for a free database session before a 503"},
    SettingSpec{"database.pool.statement_cache_size",
                "",
                "32",
                "prepared statements kept per pooled MySQL connection, 0-1000 (0 turns the "
                "cache off), lowered at start-up to fit MariaDB's default "
                "max_prepared_stmt_count"},
    SettingSpec{"database.sqlite.path", "SQLITE_PATH", "var/valhalla.db", "SQLite database file"},
    SettingSpec{
        "logging.level", "LOG_LEVEL", "info", "trace, debug, info, warn, error, critical or off"},
    SettingSpec{"logging.format", "LOG_FORMAT", "text", "text or json"},
    SettingSpec{"logging.file",
                "LOG_FILE",
                "",
                "file the log is appended to instead of stdout, reopened on SIGUSR1"},
};

static_assert(kSettingTable.size() == kSettingCount);

}  // namespace

std::span<const SettingSpec> settingTable() {
    return kSettingTable;
}

const SettingSpec* findSetting(std::string_view key) {
    for (const SettingSpec& spec : kSettingTable) {
        if (spec.key == key) {
            return &spec;
        }
    }
    return nullptr;
}

const SettingSpec* findSettingByEnvironmentVariable(std::string_view name) {
    if (name.empty()) {
        return nullptr;
    }
    for (const SettingSpec& spec : kSettingTable) {
        if (spec.environment_variable == name) {
            return &spec;
        }
    }
    return nullptr;
}

std::string describeSettingName(const SettingSpec& spec) {
    std::string name(spec.key);
    if (!spec.environment_variable.empty()) {
        name += " (";
        name += spec.environment_variable;
        name += ")";
    }
    return name;
}

}  // namespace valhalla::host::config
