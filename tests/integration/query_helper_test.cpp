#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/mariadb_admin.hpp"
#include "support/mariadb_server.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

constexpr int kProbeRows = 2000;
constexpr int kPoolSize = 4;
constexpr int kThreads = 6;
constexpr int kRequestsPerThread = 500;

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::string labelOf(int id) {
    return "label-" + std::to_string(id * 7);
}

/// Returns the note of a probe row: "note-<id>" for odd ids, NULL (an empty string here) for
/// even ones.
std::string noteOf(int id) {
    return id % 2 == 1 ? "note-" + std::to_string(id) : "";
}

long long globalStatus(const MariaDbAdmin& admin, const std::string& name) {
    std::string row = admin.query("SHOW GLOBAL STATUS LIKE '" + name + "'");
    return std::stoll(row.substr(row.find('\t') + 1));
}

/// Counts the requests of a load run that failed or returned a wrong value, and keeps
/// the first such message.
class LoadErrors {
public:
    void add(const std::string& message) {
        std::lock_guard lock(mutex_);
        if (count_++ == 0) {
            first_ = message;
        }
    }

    int count() const { return count_; }

    const std::string& first() const { return first_; }

private:
    std::mutex mutex_;
    int count_ = 0;
    std::string first_;
};

/// Returns the ids that a GET /test/probe?... response lists, or an error text.
std::string listedIds(const HttpResponse& response) {
    if (response.status != 200) {
        return "status " + std::to_string(response.status);
    }
    Poco::JSON::Array::Ptr ids = parseObject(response.body)->getArray("ids");
    std::string listed;
    for (std::size_t i = 0; i < ids->size(); ++i) {
        listed += (i == 0 ? "" : ",") + ids->getElement<std::string>(static_cast<unsigned>(i));
    }
    return listed;
}

/// Sends one of three reads for a random row and checks the response: by id, by label and
/// note (NULL for even ids), or by a label and note that match no row.
void sendCheckedRequest(int port, std::mt19937& random, LoadErrors& errors) {
    int id = 1 + static_cast<int>(random() % kProbeRows);
    std::string path;
    switch (random() % 3) {
        case 0: {
            path = "/test/probe/" + std::to_string(id);
            HttpResponse response = httpRequest(port, "GET", path);
            auto body = response.status == 200 ? parseObject(response.body) : nullptr;
            bool note_matches =
                body && (id % 2 == 1 ? body->getValue<std::string>("note") == noteOf(id)
                                     : body->isNull("note"));
            if (!body || body->getValue<std::string>("label") != labelOf(id) || !note_matches) {
                errors.add(path + ": " + response.body);
            }
            return;
        }
        case 1:
            path = "/test/probe?label=" + labelOf(id) + (id % 2 == 1 ? "&note=" + noteOf(id) : "");
            if (std::string ids = listedIds(httpRequest(port, "GET", path));
                ids != std::to_string(id)) {
                errors.add(path + ": " + ids);
            }
            return;
        default:
            path = "/test/probe?label=" + labelOf(id) + "&note=note-" + std::to_string(id + 1);
            if (std::string ids = listedIds(httpRequest(port, "GET", path)); !ids.empty()) {
                errors.add(path + ": " + ids);
            }
            return;
    }
}

/// Runs sendCheckedRequest() from kThreads threads; an exception counts as an error.
void runLoad(int port, LoadErrors& errors) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([port, t, &errors] {
            std::mt19937 random(static_cast<unsigned>(1000 + t));
            for (int i = 0; i < kRequestsPerThread; ++i) {
                try {
                    sendCheckedRequest(port, random, errors);
                } catch (const std::exception& error) {
                    errors.add(std::string("request failed: ") + error.what());
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
}

TEST(QueryHelper, CachedStatementsReturnCorrectRowsUnderLoad) {
    PrivateMariaDb mariadb;
    mariadb.start();
    createPrivateDatabase(mariadb, "probe", "probe-secret");
    MariaDbAdmin admin = MariaDbAdmin::forPrivate(mariadb);
    admin.query(
        "USE probe; CREATE TABLE probe (id INT PRIMARY KEY, label VARCHAR(64) NOT NULL, "
        "note VARCHAR(64) NULL); INSERT INTO probe SELECT seq, CONCAT('label-', seq * 7), "
        "IF(seq % 2 = 1, CONCAT('note-', seq), NULL) FROM seq_1_to_" +
        std::to_string(kProbeRows));
    std::string plugins = makeTemporaryDirectory();
    populatePluginDirectory(plugins, {}, {"db_probe"});
    ServerOptions options;
    options.environment = privateServerEnvironment(mariadb, "probe", "probe-secret");
    options.environment["PLUGIN_DIR"] = plugins;
    options.environment["MYSQL_POOL_SIZE"] = std::to_string(kPoolSize);
    auto server = ServerProcess::start(options);
    long long prepared_before = globalStatus(admin, "Com_stmt_prepare");
    long long executed_before = globalStatus(admin, "Com_stmt_execute");

    LoadErrors errors;
    runLoad(server->port(), errors);
    long long prepared = globalStatus(admin, "Com_stmt_prepare") - prepared_before;
    long long executed = globalStatus(admin, "Com_stmt_execute") - executed_before;

    EXPECT_EQ(errors.count(), 0) << "first wrong or failed request: " << errors.first();
    // Three statement shapes (by id, by label and note, by label and NULL) on at most
    // kPoolSize connections, plus the SET that sets up each new connection. Without the
    // cache every request would prepare.
    EXPECT_LE(prepared, 4 * kPoolSize);
    EXPECT_GE(executed, kThreads * kRequestsPerThread);
}

/// valhalla with db_probe and a pool of one session on a fresh database of the shared
/// MariaDB with an empty probe table.
struct SharedProbe {
    std::string database;
    std::unique_ptr<MariaDbAdmin> admin;
    std::unique_ptr<ServerProcess> server;

    std::string ids() {
        return admin->query("SELECT GROUP_CONCAT(id ORDER BY id) FROM `" + database + "`.probe");
    }
};

SharedProbe startSharedProbe() {
    SharedMariaDb mariadb = SharedMariaDb::fromEnvironment();
    SharedProbe probe;
    probe.database = mariadb.createDatabase();
    probe.admin = std::make_unique<MariaDbAdmin>(MariaDbAdmin::forShared(mariadb));
    probe.admin->query("CREATE TABLE `" + probe.database +
                       "`.probe (id INT PRIMARY KEY, label VARCHAR(64) NOT NULL, note "
                       "VARCHAR(64) NULL)");
    std::string plugins = makeTemporaryDirectory();
    populatePluginDirectory(plugins, {}, {"db_probe"});
    ServerOptions options;
    options.environment = mariadb.serverEnvironment(probe.database);
    options.environment["PLUGIN_DIR"] = plugins;
    options.environment["MYSQL_POOL_SIZE"] = "1";
    probe.server = ServerProcess::start(options);
    return probe;
}

TEST(QueryHelper, FailedStatementIsPreparedAgain) {
    ASSERT_TRUE(SharedMariaDb::fromEnvironment().available())
        << "no MariaDB for tests: run the tests through tests/run.sh";
    SharedProbe probe = startSharedProbe();
    int port = probe.server->port();

    HttpResponse first = httpRequest(port, "POST", "/test/probe?id=1");
    HttpResponse duplicate = httpRequest(port, "POST", "/test/probe?id=1");
    HttpResponse next = httpRequest(port, "POST", "/test/probe?id=2");

    EXPECT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(duplicate.status, 500) << duplicate.body;
    EXPECT_EQ(next.status, 200) << next.body;
    EXPECT_EQ(probe.ids(), "1,2\n");
}

TEST(QueryHelper, WriteIsNotRetriedAfterLostConnection) {
    ASSERT_TRUE(SharedMariaDb::fromEnvironment().available())
        << "no MariaDB for tests: run the tests through tests/run.sh";
    SharedProbe probe = startSharedProbe();
    int port = probe.server->port();
    ASSERT_EQ(httpRequest(port, "POST", "/test/probe?id=1").status, 200);

    std::size_t killed = probe.admin->killConnections(probe.database);
    HttpResponse lost = httpRequest(port, "POST", "/test/probe?id=2");
    HttpResponse after = httpRequest(port, "POST", "/test/probe?id=3");

    EXPECT_EQ(killed, 1u);
    EXPECT_EQ(lost.status, 500) << lost.body;
    EXPECT_EQ(after.status, 200) << after.body;
    EXPECT_EQ(probe.ids(), "1,3\n");
}

TEST(QueryHelper, SqliteRunsReadsWritesAndTransactions) {
    std::string folder = makeTemporaryDirectory();
    std::string database = folder + "/probe.db";
    ProgramResult created = runProgram(
        {"sqlite3",
         database,
         "CREATE TABLE probe (id INTEGER PRIMARY KEY, label TEXT NOT NULL, note TEXT NULL); "
         "INSERT INTO probe VALUES (1, 'one', 'first'), (2, 'two', NULL); "
         "CREATE TABLE probe_txn (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL)"},
        std::chrono::seconds(30));
    ASSERT_TRUE(created.succeeded()) << created.output;
    std::string plugins = makeTemporaryDirectory();
    populatePluginDirectory(plugins, {}, {"db_probe"});
    ServerOptions options;
    options.environment = {
        {"DB_CONNECTOR", "sqlite"}, {"SQLITE_PATH", database}, {"PLUGIN_DIR", plugins}};
    auto server = ServerProcess::start(options);
    int port = server->port();

    HttpResponse first = httpRequest(port, "GET", "/test/probe/1");
    HttpResponse second = httpRequest(port, "GET", "/test/probe/2");
    HttpResponse by_null_note = httpRequest(port, "GET", "/test/probe?label=two");
    HttpResponse by_note = httpRequest(port, "GET", "/test/probe?label=one&note=first");
    HttpResponse committed = httpRequest(port, "POST", "/test/transaction?label=kept&pause_ms=0");
    HttpResponse thrown = httpRequest(port, "POST", "/test/begin-and-throw?label=gone");
    ProgramResult rows = runProgram(
        {"sqlite3", database, "SELECT label FROM probe_txn ORDER BY id"}, std::chrono::seconds(30));

    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(parseObject(first.body)->getValue<std::string>("note"), "first");
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_TRUE(parseObject(second.body)->isNull("note")) << second.body;
    EXPECT_EQ(listedIds(by_null_note), "2");
    EXPECT_EQ(listedIds(by_note), "1");
    EXPECT_EQ(committed.status, 200) << committed.body;
    EXPECT_EQ(thrown.status, 500) << thrown.body;
    EXPECT_EQ(rows.output, "kept-first\nkept-second\n");
}

}  // namespace
}  // namespace valhalla::test
