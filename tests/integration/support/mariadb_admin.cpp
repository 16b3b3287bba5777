#include "support/mariadb_admin.hpp"

#include <sstream>
#include <stdexcept>

#include "support/server_process.hpp"

namespace valhalla::test {

namespace {

constexpr std::chrono::milliseconds kClientTimeout{30000};

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream stream(text);
    std::string line;
    while (std::getline(stream, line)) {
        if (!line.empty()) {
            result.push_back(line);
        }
    }
    return result;
}

}  // namespace

MariaDbAdmin MariaDbAdmin::forShared(const SharedMariaDb& server) {
    if (!server.available()) {
        throw std::runtime_error(
            "VALHALLA_TEST_MYSQL_PORT is not set: run the MySQL tests through tests/run.sh, "
            "which starts a private MariaDB and sets VALHALLA_TEST_MYSQL_*");
    }
    return MariaDbAdmin({"mariadb",
                         "--no-defaults",
                         "--protocol=TCP",
                         "-h" + server.host,
                         "-P" + std::to_string(server.port),
                         "-u" + server.user,
                         "--password=" + server.password});
}

MariaDbAdmin MariaDbAdmin::forPrivate(const PrivateMariaDb& server) {
    return MariaDbAdmin({"mariadb", "--no-defaults", "--socket=" + server.socketPath(), "-uroot"});
}

std::string MariaDbAdmin::query(const std::string& sql) const {
    std::vector<std::string> arguments = client_;
    arguments.insert(arguments.end(), {"--batch", "--skip-column-names", "-e", sql});
    ProgramResult result = runProgram(arguments, kClientTimeout);
    if (!result.succeeded()) {
        throw std::runtime_error("mariadb client running '" + sql + "' failed with " +
                                 describeWaitStatus(result.wait_status) + ":\n" + result.output);
    }
    return result.output;
}

std::vector<std::string> MariaDbAdmin::connectionIds(const std::string& database) const {
    return lines(query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '" + database +
                       "' AND ID <> CONNECTION_ID()"));
}

std::size_t MariaDbAdmin::killConnections(const std::string& database) const {
    std::vector<std::string> ids = connectionIds(database);
    std::string sql;
    for (const std::string& id : ids) {
        sql += "KILL " + id + ";";
    }
    if (!sql.empty()) {
        query(sql);
    }
    return ids.size();
}

std::map<std::string, std::string> privateServerEnvironment(const PrivateMariaDb& server,
                                                            const std::string& database,
                                                            const std::string& password) {
    return {{"DB_CONNECTOR", "mysql"},
            {"MYSQL_HOST", "127.0.0.1"},
            {"MYSQL_PORT", std::to_string(server.port())},
            {"MYSQL_USER", "valhalla"},
            {"MYSQL_PASSWORD", password},
            {"MYSQL_DATABASE", database}};
}

void createPrivateDatabase(const PrivateMariaDb& server,
                           const std::string& database,
                           const std::string& password) {
    server.execute("CREATE DATABASE `" + database +
                   "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; "
                   "CREATE USER 'valhalla'@'127.0.0.1' IDENTIFIED BY '" +
                   password +
                   "'; "
                   "GRANT ALL ON `" +
                   database + "`.* TO 'valhalla'@'127.0.0.1';");
}

}  // namespace valhalla::test
