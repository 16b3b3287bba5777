#include <stdexcept>
#include <string>

#include <Poco/Data/MySQL/MySQLException.h>
#include <Poco/DateTime.h>
#include <Poco/Exception.h>
#include <gtest/gtest.h>

#include "database/mysql_error.hpp"
#include "database/parameter_type.hpp"
#include "database/statement_cache_budget.hpp"

namespace valhalla::host::database {
namespace {

TEST(ParameterSignature, NamesEachSupportedType) {
    sdk::QueryParameters parameters = {Poco::Int64{-1},
                                       42,
                                       Poco::UInt64{7},
                                       2.5,
                                       true,
                                       std::string("text"),
                                       "literal",
                                       Poco::Dynamic::Var()};

    EXPECT_EQ(parameterSignature(parameters), "iiurbssn");
}

TEST(ParameterSignature, RejectsUnsupportedTypeByPosition) {
    sdk::QueryParameters parameters = {Poco::Int64{1}, Poco::DateTime()};

    try {
        parameterSignature(parameters);
        FAIL() << "a Poco::DateTime parameter was accepted";
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("query parameter 2"), std::string::npos)
            << error.what();
        EXPECT_NE(std::string(error.what()).find("Poco::DateTime"), std::string::npos)
            << error.what();
    }
}

TEST(MysqlErrorNumber, ReadsNumberFromMessage) {
    Poco::Data::MySQL::StatementException lost(
        "[Comment]: mysql_stmt_execute error\t[mysql_stmt_error]: Unknown prepared statement "
        "handler\t[mysql_stmt_errno]: 1243\t[mysql_stmt_sqlstate]: HY000");
    Poco::Data::MySQL::StatementException duplicate(
        "[Comment]: mysql_stmt_execute error\t[mysql_stmt_errno]: 1062");
    Poco::IOException other("[mysql_stmt_errno]: 2006");

    EXPECT_EQ(mysqlErrorNumber(lost), 1243);
    EXPECT_TRUE(isLostConnectionError(lost));
    EXPECT_EQ(mysqlErrorNumber(duplicate), 1062);
    EXPECT_FALSE(isLostConnectionError(duplicate));
    EXPECT_EQ(mysqlErrorNumber(other), 0);
    EXPECT_FALSE(isLostConnectionError(other));
}

TEST(StatementCacheBudget, KeepsSettingWhenItFits) {
    StatementCacheBudget budget = statementCacheBudget(32, 1, 10);

    EXPECT_EQ(budget.per_connection, 32u);
    EXPECT_FALSE(budget.lowered);
    EXPECT_EQ(budget.max_prepared_statements, 330u);
}

TEST(StatementCacheBudget, LowersSettingForManyConnections) {
    StatementCacheBudget budget = statementCacheBudget(32, 8, 320);

    EXPECT_EQ(budget.per_connection, 2u);
    EXPECT_TRUE(budget.lowered);
    EXPECT_LE(budget.max_prepared_statements * 2, kDefaultServerStatementLimit);
}

TEST(StatementCacheBudget, TurnsCachingOffWhenNothingFits) {
    StatementCacheBudget budget = statementCacheBudget(32, 256, 10000);

    EXPECT_EQ(budget.per_connection, 0u);
    EXPECT_TRUE(budget.lowered);
}

}  // namespace
}  // namespace valhalla::host::database
