#include <chrono>
#include <future>
#include <memory>
#include <string>

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

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// valhalla with the db_probe plugin and a pool of one session on a fresh database of
/// the shared MariaDB, so consecutive requests use the same pooled session.
class TransactionTest : public testing::Test {
protected:
    void SetUp() override {
        SharedMariaDb mariadb = SharedMariaDb::fromEnvironment();
        ASSERT_TRUE(mariadb.available())
            << "no MariaDB for tests: run the tests through tests/run.sh";
        database_ = mariadb.createDatabase();
        admin_ = std::make_unique<MariaDbAdmin>(MariaDbAdmin::forShared(mariadb));
        admin_->query("CREATE TABLE `" + database_ +
                      "`.probe_txn (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(64)) "
                      "ENGINE=InnoDB");
        std::string plugins = makeTemporaryDirectory();
        populatePluginDirectory(plugins, {}, {"db_probe"});
        ServerOptions options;
        options.environment = mariadb.serverEnvironment(database_);
        options.environment["PLUGIN_DIR"] = plugins;
        options.environment["MYSQL_POOL_SIZE"] = "1";
        server_ = ServerProcess::start(options);
    }

    /// Returns the labels in probe_txn that the administrator's connection reads, one per line in
    /// id order.
    std::string committedLabels() {
        return admin_->query("SELECT label FROM `" + database_ + "`.probe_txn ORDER BY id");
    }

    /// Starts a transaction request for `label` with `query`, which sets where it pauses,
    /// kills its connection from the administrator's connection during the pause, and
    /// returns the response.
    HttpResponse killDuringTransaction(const std::string& label, const std::string& query) {
        int port = server_->port();
        auto pending = std::async(std::launch::async, [port, label, query] {
            return httpRequest(
                port, "POST", "/test/transaction?pause_ms=3000&label=" + label + "&" + query);
        });
        std::string connection = pausedConnection(label);
        EXPECT_FALSE(connection.empty()) << "the transaction did not pause:\n" << server_->log();
        if (!connection.empty()) {
            admin_->query("KILL " + connection);
        }
        return pending.get();
    }

    /// Waits for the log line of the paused transaction `label` and returns the id of its
    /// connection, or an empty string after 10 s.
    std::string pausedConnection(const std::string& label) {
        std::string marker = "probe transaction paused label=" + label + " connection_id=";
        if (!server_->waitForLog(marker, 10s)) {
            return "";
        }
        std::string log = server_->log();
        std::size_t begin = log.find(marker) + marker.size();
        return log.substr(begin, log.find_first_not_of("0123456789", begin) - begin);
    }

    Poco::JSON::Object::Ptr sessionState() {
        HttpResponse response = httpRequest(server_->port(), "GET", "/test/session");
        EXPECT_EQ(response.status, 200) << response.body;
        return parseObject(response.body);
    }

    std::string database_;
    std::unique_ptr<MariaDbAdmin> admin_;
    std::unique_ptr<ServerProcess> server_;
};

TEST_F(TransactionTest, KilledBetweenStatementsCommitsNothing) {
    HttpResponse response = killDuringTransaction("between", "pause_at=between");

    EXPECT_NE(response.status, 200) << response.body;
    EXPECT_GE(response.status, 500) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
    EXPECT_EQ(committedLabels(), "");
    EXPECT_EQ(sessionState()->getValue<int>("in_transaction"), 0);
}

TEST_F(TransactionTest, KilledBeforeCommitCommitsNothing) {
    HttpResponse response = killDuringTransaction("late", "pause_at=before_commit");

    EXPECT_NE(response.status, 200) << response.body;
    EXPECT_GE(response.status, 500) << response.body;
    EXPECT_EQ(committedLabels(), "");
    EXPECT_EQ(sessionState()->getValue<int>("in_transaction"), 0);
}

TEST_F(TransactionTest, ReconnectInsideTransactionFailsCommit) {
    HttpResponse response =
        killDuringTransaction("reconnected", "pause_at=between&reconnect=allow");

    EXPECT_EQ(response.status, 503) << response.body;
    EXPECT_NE(response.body.find("replaced"), std::string::npos) << response.body;
    EXPECT_EQ(committedLabels().find("reconnected-first"), std::string::npos);
}

TEST_F(TransactionTest, CommitLeavesAutocommitOn) {
    Poco::Int64 connection = sessionState()->getValue<Poco::Int64>("connection_id");

    HttpResponse response =
        httpRequest(server_->port(), "POST", "/test/transaction?label=kept&pause_ms=0");
    Poco::JSON::Object::Ptr state = sessionState();

    EXPECT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(committedLabels(), "kept-first\nkept-second\n");
    EXPECT_EQ(state->getValue<Poco::Int64>("connection_id"), connection);
    EXPECT_EQ(state->getValue<int>("autocommit"), 1);
    EXPECT_EQ(state->getValue<int>("in_transaction"), 0);
}

TEST_F(TransactionTest, ThrowingHandlerLeavesNoOpenTransaction) {
    Poco::Int64 connection = sessionState()->getValue<Poco::Int64>("connection_id");

    HttpResponse thrown =
        httpRequest(server_->port(), "POST", "/test/begin-and-throw?label=abandoned");
    Poco::JSON::Object::Ptr state = sessionState();

    EXPECT_EQ(thrown.status, 500) << thrown.body;
    EXPECT_EQ(state->getValue<Poco::Int64>("connection_id"), connection);
    EXPECT_EQ(state->getValue<int>("in_transaction"), 0);
    EXPECT_EQ(state->getValue<int>("autocommit"), 1);
    EXPECT_EQ(committedLabels(), "");
}

}  // namespace
}  // namespace valhalla::test
