#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/mariadb_server.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

using namespace std::chrono_literals;

TEST(Secrets, NeverWrittenToTheLog) {
    auto mariadb = SharedMariaDb::fromEnvironment();
    ASSERT_TRUE(mariadb.available()) << "no MariaDB for tests: run the tests through tests/run.sh";
    const std::string admin_token = "admin-token-5f2d9c";
    const std::string wrong_token = "wrong-token-8e1a7b";
    const std::string cookie = "cookie-secret-3c6e0d";
    const std::string bearer = "client-bearer-9b4f21";
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello", "items"});
    ServerOptions options;
    options.environment["PLUGIN_DIR"] = directory;
    options.environment["LOG_LEVEL"] = "trace";
    options.environment["ADMIN_TOKEN"] = admin_token;
    options.environment.merge(mariadb.serverEnvironment(mariadb.createDatabase()));
    auto server = ServerProcess::start(options);

    auto admin = httpRequest(
        server->port(), "GET", "/admin/plugins", "", {{"Authorization", "Bearer " + admin_token}});
    auto rejected = httpRequest(
        server->port(), "GET", "/admin/plugins", "", {{"Authorization", "Bearer " + wrong_token}});
    auto with_cookie =
        httpRequest(server->port(), "GET", "/hello", "", {{"Cookie", "session=" + cookie}});
    auto item =
        httpRequest(server->port(),
                    "POST",
                    "/api/v1/items",
                    R"({"name":"secret test","price":"1.00"})",
                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + bearer}});
    auto failed = httpRequest(
        server->port(), "GET", "/admin/reload", "", {{"Authorization", "Bearer " + admin_token}});
    server->stop();
    std::string log = server->log();

    EXPECT_EQ(admin.status, 200);
    EXPECT_EQ(rejected.status, 401);
    EXPECT_EQ(with_cookie.status, 200);
    EXPECT_EQ(item.status, 201);
    EXPECT_EQ(failed.status, 405);
    EXPECT_NE(log.find("request remote="), std::string::npos) << "the access log is missing";
    EXPECT_EQ(log.find(mariadb.password), std::string::npos) << "MYSQL_PASSWORD in the log";
    EXPECT_EQ(log.find(admin_token), std::string::npos) << "the admin token in the log";
    EXPECT_EQ(log.find(wrong_token), std::string::npos) << "a rejected token in the log";
    EXPECT_EQ(log.find(cookie), std::string::npos) << "a Cookie header in the log";
    EXPECT_EQ(log.find(bearer), std::string::npos) << "an Authorization header in the log";
}

}  // namespace
}  // namespace valhalla::test
