#include <array>
#include <string_view>
#include <utility>

#include "config/setting_table.hpp"
#include "config/settings.hpp"
#include "config/value_parsers.hpp"

namespace valhalla::host::config {

namespace {

using Formatter = std::string (*)(const Settings&);

std::string joinList(const std::vector<std::string>& items) {
    std::string joined;
    for (const std::string& item : items) {
        joined += joined.empty() ? item : "," + item;
    }
    return joined;
}

// Formatter of the typed value of each setting, in the syntax the setting accepts.
constexpr std::array<std::pair<std::string_view, Formatter>, kSettingCount> kFormatters = {{
    {"server.host", [](const Settings& s) { return s.host; }},
    {"server.port", [](const Settings& s) { return std::to_string(s.port); }},
    {"server.workers", [](const Settings& s) { return std::to_string(s.workers); }},
    {"server.threads", [](const Settings& s) { return std::to_string(s.threads); }},
    {"server.queue_limit", [](const Settings& s) { return std::to_string(s.queue_limit); }},
    {"server.queue_timeout", [](const Settings& s) { return formatDuration(s.queue_timeout); }},
    {"server.head_timeout", [](const Settings& s) { return formatDuration(s.head_timeout); }},
    {"server.keepalive_timeout",
     [](const Settings& s) { return formatDuration(s.keepalive_timeout); }},
    {"server.max_body_size", [](const Settings& s) { return formatSize(s.max_body_size); }},
    {"server.max_head_size", [](const Settings& s) { return formatSize(s.max_head_size); }},
    {"server.max_header_line", [](const Settings& s) { return formatSize(s.max_header_line); }},
    {"server.max_header_count",
     [](const Settings& s) { return std::to_string(s.max_header_count); }},
    {"server.drain_timeout", [](const Settings& s) { return formatDuration(s.drain_timeout); }},
    {"server.handler_timeout", [](const Settings& s) { return formatDuration(s.handler_timeout); }},
    {"server.trusted_proxies", [](const Settings& s) { return joinList(s.trusted_proxies); }},
    {"server.tls.certificate", [](const Settings& s) { return s.tls_certificate; }},
    {"server.tls.key", [](const Settings& s) { return s.tls_key; }},
    {"plugins.directory", [](const Settings& s) { return s.plugin_directory; }},
    {"plugins.shadow_directory", [](const Settings& s) { return s.shadow_directory; }},
    {"plugins.required", [](const Settings& s) { return joinList(s.required_plugins); }},
    {"admin.token", [](const Settings& s) { return s.admin_token; }},
    {"readyz.require_database",
     [](const Settings& s) { return std::string(s.readyz_require_database ? "true" : "false"); }},
    {"database.connector", [](const Settings& s) { return s.database_connector; }},
    {"database.mysql.host", [](const Settings& s) { return s.mysql.host; }},
    {"database.mysql.port", [](const Settings& s) { return std::to_string(s.mysql.port); }},
    {"database.mysql.user", [](const Settings& s) { return s.mysql.user; }},
    {"database.mysql.password", [](const Settings& s) { return s.mysql.password; }},
    {"database.mysql.database", [](const Settings& s) { return s.mysql.database; }},
    {"database.pool.size", [](const Settings& s) { return std::to_string(s.pool_size); }},
    {"database.pool.acquire_timeout",
     [](const Settings& s) { return formatDuration(s.acquire_timeout); }},
    {"database.pool.statement_cache_size",
     [](const Settings& s) { return std::to_string(s.statement_cache_size); }},
    {"database.sqlite.path", [](const Settings& s) { return s.sqlite_path; }},
    {"logging.level", [](const Settings& s) { return s.log_level; }},
    {"logging.format", [](const Settings& s) { return s.log_format; }},
    {"logging.file", [](const Settings& s) { return s.log_file; }},
}};

std::string formatValue(const Settings& settings, std::string_view key) {
    for (const auto& [formatted_key, format] : kFormatters) {
        if (formatted_key == key) {
            return format(settings);
        }
    }
    return {};
}

}  // namespace

std::vector<std::string> describeSettings(const Settings& settings) {
    std::vector<std::string> lines;
    for (const SettingSpec& spec : settingTable()) {
        std::string value = formatValue(settings, spec.key);
        if (spec.secret && !value.empty()) {
            value = "***";
        }
        lines.push_back(std::string(spec.key) + "=" + value);
    }
    return lines;
}

}  // namespace valhalla::host::config
