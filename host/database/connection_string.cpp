#include "database/connection_string.hpp"

namespace valhalla::host::database {

std::string mysqlConnectionString(const config::MysqlSettings& mysql) {
    return "host=" + mysql.host + ";port=" + std::to_string(mysql.port) + ";user=" + mysql.user +
           ";password=" + mysql.password + ";db=" + mysql.database +
           ";character-set=utf8mb4;auto-reconnect=true";
}

std::string describeMysqlTarget(const config::MysqlSettings& mysql) {
    return mysql.user + "@" + mysql.host + ":" + std::to_string(mysql.port) + "/" + mysql.database;
}

}  // namespace valhalla::host::database
