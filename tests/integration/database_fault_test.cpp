#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/mariadb_admin.hpp"
#include "support/mariadb_server.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kItems = 12;
constexpr int kPoolSize = 4;

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string itemPath(const std::string& id) {
    return "/api/v1/items/" + id;
}

/// Items created through the API, by id, with the body the API returned.
using ItemBodies = std::map<std::string, std::string>;

ItemBodies createItems(int port) {
    ItemBodies items;
    for (int i = 0; i < kItems; ++i) {
        std::string json = R"({"name":"item )" + std::to_string(i) + R"(","price":"1.)" +
                           std::to_string(10 + i) + R"(","description":"d"})";
        HttpResponse created = httpJson(port, "POST", "/api/v1/items", json);
        EXPECT_EQ(created.status, 201) << created.body;
        items[parseObject(created.body)->getValue<std::string>("id")] = created.body;
    }
    return items;
}

/// Reads every item from `threads` threads at once, so that several pooled sessions
/// serve them. Returns a description of each response that differs from `expected`.
std::vector<std::string> readConcurrently(int port, const ItemBodies& expected, int threads) {
    std::vector<std::future<std::vector<std::string>>> results;
    for (int t = 0; t < threads; ++t) {
        results.push_back(std::async(std::launch::async, [port, &expected] {
            std::vector<std::string> wrong;
            for (const auto& [id, body] : expected) {
                HttpResponse read = httpRequest(port, "GET", itemPath(id));
                if (read.status != 200 || read.body != body) {
                    wrong.push_back(id + ": " + std::to_string(read.status) + " " + read.body);
                }
            }
            return wrong;
        }));
    }
    std::vector<std::string> wrong;
    for (auto& result : results) {
        for (const std::string& line : result.get()) {
            wrong.push_back(line);
        }
    }
    return wrong;
}

/// Returns whether `response` is a clean failure: 500 or 503 with a problem+json body.
bool isCleanFailure(const HttpResponse& response) {
    return (response.status == 500 || response.status == 503) &&
           response.header("Content-Type") == "application/problem+json";
}

/// Polls GET `path` until it returns 200, up to `timeout`; returns the last status.
int waitForStatus200(int port, const std::string& path, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (Clock::now() < deadline) {
        status = httpRequest(port, "GET", path).status;
        if (status == 200) {
            break;
        }
        std::this_thread::sleep_for(100ms);
    }
    return status;
}

ServerOptions itemsOptions(std::map<std::string, std::string> environment) {
    ServerOptions options;
    options.environment = std::move(environment);
    options.environment["PLUGINS_REQUIRED"] = "items";
    options.environment["MYSQL_POOL_SIZE"] = std::to_string(kPoolSize);
    return options;
}

TEST(DatabaseFaults, ReadsRecoverAfterKilledConnections) {
    SharedMariaDb mariadb = SharedMariaDb::fromEnvironment();
    ASSERT_TRUE(mariadb.available()) << "no MariaDB for tests: run the tests through tests/run.sh";
    std::string database = mariadb.createDatabase();
    MariaDbAdmin admin = MariaDbAdmin::forShared(mariadb);
    auto server = ServerProcess::start(itemsOptions(mariadb.serverEnvironment(database)));
    ItemBodies items = createItems(server->port());
    ASSERT_TRUE(readConcurrently(server->port(), items, kPoolSize).empty());

    std::size_t killed = admin.killConnections(database);
    std::vector<std::string> wrong = readConcurrently(server->port(), items, kPoolSize);

    EXPECT_GE(killed, 1u);
    EXPECT_TRUE(wrong.empty()) << wrong.size() << " wrong reads, first: " << wrong.front();
    EXPECT_TRUE(server->waitForLog("retrying once with a fresh statement", 5s));
}

TEST(DatabaseFaults, WritesAfterKilledConnectionsNeverAnswerWrongly) {
    SharedMariaDb mariadb = SharedMariaDb::fromEnvironment();
    ASSERT_TRUE(mariadb.available()) << "no MariaDB for tests: run the tests through tests/run.sh";
    std::string database = mariadb.createDatabase();
    MariaDbAdmin admin = MariaDbAdmin::forShared(mariadb);
    auto server = ServerProcess::start(itemsOptions(mariadb.serverEnvironment(database)));
    int port = server->port();
    ItemBodies items = createItems(port);
    ASSERT_TRUE(readConcurrently(port, items, kPoolSize).empty());

    admin.killConnections(database);
    std::vector<std::future<std::pair<std::string, HttpResponse>>> patches;
    for (const auto& [id, body] : items) {
        patches.push_back(std::async(std::launch::async, [port, id = id] {
            return std::make_pair(
                id, httpJson(port, "PATCH", itemPath(id), R"({"description":"patched"})"));
        }));
    }

    for (auto& pending : patches) {
        auto [id, response] = pending.get();
        std::string stored = parseObject(httpRequest(port, "GET", itemPath(id)).body)
                                 ->getValue<std::string>("description");
        if (response.status == 200) {
            EXPECT_EQ(parseObject(response.body)->getValue<std::string>("description"), "patched");
            EXPECT_EQ(stored, "patched") << "item " << id;
        } else {
            EXPECT_TRUE(isCleanFailure(response)) << response.status << " " << response.body;
            EXPECT_EQ(stored, "d") << "item " << id << " changed although the PATCH failed";
        }
    }
    HttpResponse created =
        httpJson(port, "POST", "/api/v1/items", R"({"name":"after","price":"2.00"})");
    EXPECT_EQ(created.status, 201) << created.body;
}

TEST(DatabaseFaults, RequestsRecoverAfterServerRestart) {
    PrivateMariaDb mariadb;
    mariadb.start();
    createPrivateDatabase(mariadb, "restart", "restart-secret");
    auto server = ServerProcess::start(
        itemsOptions(privateServerEnvironment(mariadb, "restart", "restart-secret")));
    ItemBodies items = createItems(server->port());
    ASSERT_TRUE(readConcurrently(server->port(), items, kPoolSize).empty());

    mariadb.stop();
    mariadb.start();
    std::vector<std::string> wrong = readConcurrently(server->port(), items, kPoolSize);
    std::vector<HttpResponse> failed_writes;
    HttpResponse created;
    for (int attempt = 0; attempt <= kPoolSize; ++attempt) {
        created =
            httpJson(server->port(), "POST", "/api/v1/items", R"({"name":"after","price":"2.00"})");
        if (created.status == 201) {
            break;
        }
        failed_writes.push_back(created);
    }

    EXPECT_TRUE(wrong.empty()) << wrong.size() << " wrong reads, first: " << wrong.front();
    EXPECT_EQ(created.status, 201) << created.body;
    for (const HttpResponse& failed : failed_writes) {
        EXPECT_TRUE(isCleanFailure(failed)) << failed.status << " " << failed.body;
    }
}

TEST(DatabaseFaults, StoppedServerFailsFastAndHealthzAnswers) {
    PrivateMariaDb mariadb;
    mariadb.start();
    createPrivateDatabase(mariadb, "stopped", "stopped-secret");
    ServerOptions options =
        itemsOptions(privateServerEnvironment(mariadb, "stopped", "stopped-secret"));
    options.environment["MYSQL_POOL_SIZE"] = "2";
    options.arguments = {"--define", "database.pool.acquire_timeout=1s"};
    auto server = ServerProcess::start(options);
    int port = server->port();
    ItemBodies items = createItems(port);
    std::string path = itemPath(items.begin()->first);

    mariadb.stop();
    std::vector<std::future<std::pair<HttpResponse, Clock::duration>>> requests;
    for (int i = 0; i < 12; ++i) {
        requests.push_back(std::async(std::launch::async, [port, path] {
            auto started = Clock::now();
            HttpResponse response = httpRequest(port, "GET", path);
            return std::make_pair(response, Clock::now() - started);
        }));
    }
    auto health_started = Clock::now();
    HttpResponse health = httpRequest(port, "GET", "/healthz");
    auto health_elapsed = Clock::now() - health_started;

    for (auto& pending : requests) {
        auto [response, elapsed] = pending.get();
        EXPECT_EQ(response.status, 503) << response.body;
        EXPECT_EQ(response.header("Retry-After"), "1");
        EXPECT_LT(elapsed, 1s + 500ms);
    }
    EXPECT_EQ(health.status, 200);
    EXPECT_LT(health_elapsed, 250ms);
    mariadb.start();
    EXPECT_EQ(waitForStatus200(port, path, 10s), 200);
}

}  // namespace
}  // namespace valhalla::test
