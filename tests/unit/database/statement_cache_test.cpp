#include "database/statement_cache.hpp"

#include <memory>
#include <string>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include "database/prepared_statement.hpp"

namespace valhalla::host::database {
namespace {

Poco::Data::Session openMemoryDatabase() {
    Poco::Data::SQLite::Connector::registerConnector();
    return Poco::Data::Session("sqlite", ":memory:");
}

class StatementCacheTest : public testing::Test {
protected:
    std::unique_ptr<PreparedStatement> statement(const std::string& sql) {
        return std::make_unique<PreparedStatement>(session_.createStatementImpl(), sql, "");
    }

    Poco::Data::Session session_ = openMemoryDatabase();
};

TEST_F(StatementCacheTest, FindReturnsStoredStatement) {
    StatementCache cache(2);
    auto stored = statement("SELECT 1");
    PreparedStatement* address = stored.get();

    cache.insert("a", std::move(stored));

    EXPECT_EQ(cache.find("a"), address);
    EXPECT_EQ(cache.find("b"), nullptr);
    EXPECT_EQ(cache.size(), 1u);
}

TEST_F(StatementCacheTest, FullCacheDropsLeastRecentlyUsed) {
    StatementCache cache(2);
    cache.insert("a", statement("SELECT 1"));
    cache.insert("b", statement("SELECT 2"));
    ASSERT_NE(cache.find("a"), nullptr);

    cache.insert("c", statement("SELECT 3"));

    EXPECT_NE(cache.find("a"), nullptr);
    EXPECT_EQ(cache.find("b"), nullptr);
    EXPECT_NE(cache.find("c"), nullptr);
    EXPECT_EQ(cache.size(), 2u);
}

TEST_F(StatementCacheTest, ZeroCapacityKeepsNothing) {
    StatementCache cache(0);

    cache.insert("a", statement("SELECT 1"));

    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_EQ(cache.size(), 0u);
}

TEST_F(StatementCacheTest, EraseAndClearDropStatements) {
    StatementCache cache(4);
    cache.insert("a", statement("SELECT 1"));
    cache.insert("b", statement("SELECT 2"));

    cache.erase("a");
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_EQ(cache.size(), 1u);
    cache.clear();
    EXPECT_EQ(cache.size(), 0u);
    cache.insert("a", statement("SELECT 1"));
    EXPECT_NE(cache.find("a"), nullptr);
}

TEST_F(StatementCacheTest, PreparedStatementRunsAgainWithNewValues) {
    PreparedStatement prepared(session_.createStatementImpl(), "SELECT ? + 1, ?", "is");

    sdk::QueryResult first = prepared.execute({Poco::Int64{41}, std::string("x")});
    sdk::QueryResult second = prepared.execute({Poco::Int64{-3}, std::string("y")});

    ASSERT_EQ(first.rows.size(), 1u);
    EXPECT_EQ(first.rows[0][0].convert<Poco::Int64>(), 42);
    EXPECT_EQ(first.rows[0][1].convert<std::string>(), "x");
    ASSERT_EQ(second.rows.size(), 1u);
    EXPECT_EQ(second.rows[0][0].convert<Poco::Int64>(), -2);
    EXPECT_EQ(second.rows[0][1].convert<std::string>(), "y");
}

}  // namespace
}  // namespace valhalla::host::database
