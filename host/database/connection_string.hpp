#pragma once

#include <string>

#include "config/settings.hpp"

namespace valhalla::host::database {

/// Poco connection string for the MySQL connector: utf8mb4 and auto-reconnect on,
/// never `reset=true` (it drops server-side prepared statements). Contains the
/// password: never log it; log `describeMysqlTarget` instead.
std::string mysqlConnectionString(const config::MysqlSettings& mysql);

/// `user@host:port/database` for logs and error messages, without the password.
std::string describeMysqlTarget(const config::MysqlSettings& mysql);

}  // namespace valhalla::host::database
