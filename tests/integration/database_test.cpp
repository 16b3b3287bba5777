#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/mariadb_server.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

using namespace std::chrono_literals;

ServerOptions poolOfOne(const std::string& plugin_directory) {
    ServerOptions options;
    options.environment["PLUGIN_DIR"] = plugin_directory;
    options.environment["MYSQL_POOL_SIZE"] = "1";
    options.arguments = {"--define", "database.pool.acquire_timeout=300ms"};
    return options;
}

void expectExhaustedPoolGives503(ServerProcess& server) {
    int port = server.port();
    ASSERT_EQ(httpRequest(port, "GET", "/test/db").status, 200);
    auto holder = std::async(std::launch::async,
                             [port] { return httpRequest(port, "GET", "/test/hold?ms=2000"); });
    std::this_thread::sleep_for(500ms);

    auto started = std::chrono::steady_clock::now();
    auto refused = httpRequest(port, "GET", "/test/db");
    auto waited = std::chrono::steady_clock::now() - started;

    EXPECT_EQ(refused.status, 503);
    EXPECT_EQ(refused.header("retry-after"), "1");
    EXPECT_EQ(refused.header("content-type"), "application/problem+json");
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 1500ms);
    EXPECT_EQ(holder.get().status, 200);
    EXPECT_TRUE(server.waitForLog("database pool exhausted", 5s));
    EXPECT_TRUE(server.waitForLog("pool_size=1 in_use=1", 5s));
    EXPECT_EQ(httpRequest(port, "GET", "/test/db").status, 200);
    // The worker copies pool counters to /metrics about once a second.
    std::string metrics;
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(100ms)) {
        metrics = httpRequest(port, "GET", "/metrics").body;
        if (metrics.find("\nvalhalla_db_pool_exhausted_total 1\n") != std::string::npos) {
            break;
        }
    }
    EXPECT_NE(metrics.find("\nvalhalla_db_pool_exhausted_total 1\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("\nvalhalla_db_pool_acquire_waits_total 1\n"), std::string::npos)
        << metrics;
}

TEST(DatabasePool, ExhaustedSqlitePoolGives503) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {}, {"pool_holder"});
    auto server = ServerProcess::start(poolOfOne(directory));

    expectExhaustedPoolGives503(*server);
}

TEST(DatabasePool, ExhaustedMariaDbPoolGives503) {
    auto mariadb = SharedMariaDb::fromEnvironment();
    ASSERT_TRUE(mariadb.available()) << "no MariaDB for tests: run the tests through tests/run.sh";
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {}, {"pool_holder"});
    auto options = poolOfOne(directory);
    options.environment.merge(mariadb.serverEnvironment(mariadb.createDatabase()));
    auto server = ServerProcess::start(options);

    expectExhaustedPoolGives503(*server);
    EXPECT_EQ(server->log().find(mariadb.password), std::string::npos);
}

TEST(DatabasePool, StartsWithMariaDbDownAndRecovers) {
    PrivateMariaDb mariadb;
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"items", "health"}, {"pool_holder"});
    ServerOptions options;
    options.environment["PLUGIN_DIR"] = directory;
    options.environment["MYSQL_HOST"] = "127.0.0.1";
    options.environment["MYSQL_PORT"] = std::to_string(mariadb.port());
    options.environment["MYSQL_USER"] = "valhalla";
    options.environment["MYSQL_PASSWORD"] = "recovery-secret";
    options.environment["MYSQL_DATABASE"] = "recovery";
    auto server = ServerProcess::start(options);

    auto while_down = httpRequest(server->port(), "GET", "/test/db");
    auto items_down = httpRequest(server->port(), "GET", "/api/v1/items");
    mariadb.start();
    mariadb.execute(
        "CREATE DATABASE recovery CHARACTER SET utf8mb4; "
        "CREATE USER 'valhalla'@'127.0.0.1' IDENTIFIED BY 'recovery-secret'; "
        "GRANT ALL ON recovery.* TO 'valhalla'@'127.0.0.1';");
    int items_status = 0;
    for (int attempt = 0; attempt < 50 && items_status != 200; ++attempt) {
        items_status = httpRequest(server->port(), "GET", "/api/v1/items").status;
        if (items_status != 200) {
            std::this_thread::sleep_for(200ms);
        }
    }
    auto created =
        httpJson(server->port(), "POST", "/api/v1/items", R"({"name":"back","price":"1.00"})");

    EXPECT_EQ(while_down.status, 503);
    EXPECT_EQ(while_down.header("retry-after"), "1");
    EXPECT_EQ(items_down.status, 503);
    EXPECT_EQ(items_status, 200);
    EXPECT_EQ(created.status, 201);
    EXPECT_TRUE(server->waitForLog("database connection failed", 5s));
    EXPECT_EQ(server->log().find("recovery-secret"), std::string::npos);
}

}  // namespace
}  // namespace valhalla::test
