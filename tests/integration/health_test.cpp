#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/mariadb_server.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// Server settings for a fresh SQLite file in `folder`.
std::map<std::string, std::string> sqliteEnvironment(const std::string& folder) {
    return {{"DB_CONNECTOR", "sqlite"},
            {"SQLITE_PATH", Poco::Path(folder).append("health.db").toString()}};
}

/// Sets `environment` to a fresh database on the shared MariaDB. Fails the test when
/// tests/run.sh did not start one.
void mariadbEnvironment(std::map<std::string, std::string>& environment) {
    SharedMariaDb mariadb = SharedMariaDb::fromEnvironment();
    ASSERT_TRUE(mariadb.available())
        << "MariaDB for the MySQL variant is not configured: run the integration tests "
           "through tests/run.sh, which starts a private MariaDB and sets "
           "VALHALLA_TEST_MYSQL_*";
    environment = mariadb.serverEnvironment(mariadb.createDatabase());
    environment["DB_CONNECTOR"] = "mysql";
}

/// Starts a server with only the health plugin required to load.
std::unique_ptr<ServerProcess> startServer(std::map<std::string, std::string> environment,
                                           const std::string& folder) {
    ServerOptions options;
    options.working_directory = folder;
    options.environment = std::move(environment);
    options.environment["PLUGINS_REQUIRED"] = "health";
    return ServerProcess::start(options);
}

/// A server on SQLite or on the shared MariaDB, by the connector name in the parameter.
class HealthTest : public testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        std::string folder = makeTemporaryDirectory();
        std::map<std::string, std::string> environment;
        if (GetParam() == "sqlite") {
            environment = sqliteEnvironment(folder);
        } else {
            ASSERT_NO_FATAL_FAILURE(mariadbEnvironment(environment));
        }
        server_ = startServer(environment, folder);
    }

    std::unique_ptr<ServerProcess> server_;
};

TEST_P(HealthTest, ReportsReachableDatabase) {
    HttpResponse response = httpRequest(server_->port(), "GET", "/api/v1/health");

    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/json");
    Poco::JSON::Object::Ptr body = parseObject(response.body);
    EXPECT_EQ(body->getValue<std::string>("status"), "ok");
    EXPECT_FALSE(body->getValue<std::string>("version").empty());
    EXPECT_GE(body->getValue<Poco::Int64>("uptime_seconds"), 0);
    Poco::JSON::Object::Ptr database = body->getObject("database");
    ASSERT_TRUE(database) << response.body;
    EXPECT_EQ(database->getValue<std::string>("connector"), GetParam());
    EXPECT_TRUE(database->getValue<bool>("reachable"));
    EXPECT_GE(database->getValue<Poco::Int64>("pool_size"), 1);
    EXPECT_EQ(database->getValue<Poco::Int64>("in_use"), 0);
}

TEST_P(HealthTest, KeepsMemberOrder) {
    HttpResponse response = httpRequest(server_->port(), "GET", "/api/v1/health");

    std::string::size_type status = response.body.find("\"status\"");
    std::string::size_type version = response.body.find("\"version\"");
    std::string::size_type uptime = response.body.find("\"uptime_seconds\"");
    std::string::size_type database = response.body.find("\"database\"");
    EXPECT_LT(status, version) << response.body;
    EXPECT_LT(version, uptime) << response.body;
    EXPECT_LT(uptime, database) << response.body;
    EXPECT_NE(database, std::string::npos) << response.body;
}

INSTANTIATE_TEST_SUITE_P(Connectors,
                         HealthTest,
                         testing::Values("sqlite", "mysql"),
                         [](const testing::TestParamInfo<std::string>& info) {
                             return info.param == "sqlite" ? "Sqlite" : "MariaDb";
                         });

TEST(HealthDatabaseDownTest, ReportsDegradedQuickly) {
    std::string folder = makeTemporaryDirectory();
    auto server = startServer({{"DB_CONNECTOR", "mysql"},
                               {"MYSQL_HOST", "127.0.0.1"},
                               {"MYSQL_PORT", std::to_string(freePort())},
                               {"MYSQL_USER", "valhalla"},
                               {"MYSQL_PASSWORD", "unused"},
                               {"MYSQL_DATABASE", "valhalla"}},
                              folder);
    auto started = std::chrono::steady_clock::now();

    HttpResponse response = httpRequest(server->port(), "GET", "/api/v1/health");

    auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_LT(elapsed, std::chrono::seconds(3));
    ASSERT_EQ(response.status, 503) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/json");
    Poco::JSON::Object::Ptr body = parseObject(response.body);
    EXPECT_EQ(body->getValue<std::string>("status"), "degraded");
    Poco::JSON::Object::Ptr database = body->getObject("database");
    ASSERT_TRUE(database) << response.body;
    EXPECT_EQ(database->getValue<std::string>("connector"), "mysql");
    EXPECT_FALSE(database->getValue<bool>("reachable"));
    EXPECT_EQ(database->getValue<Poco::Int64>("in_use"), 0);
}

}  // namespace
}  // namespace valhalla::test
