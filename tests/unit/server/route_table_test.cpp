#include "server/route_table.hpp"

#include <gtest/gtest.h>

namespace valhalla::host::server {
namespace {

sdk::Handler noop() {
    return [](sdk::RequestContext&) {};
}

TEST(RouteTable, LiteralWinsOverParameter) {
    RouteTable table;
    table.add("GET", "/items/{id}", "by_id", noop());
    table.add("GET", "/items/new", "literal", noop());

    auto literal = table.match("GET", "/items/new");
    auto parameter = table.match("GET", "/items/42");

    ASSERT_EQ(literal.kind, RouteMatch::Kind::Found);
    EXPECT_EQ(literal.route->owner, "literal");
    ASSERT_EQ(parameter.kind, RouteMatch::Kind::Found);
    EXPECT_EQ(parameter.route->owner, "by_id");
    ASSERT_EQ(parameter.parameters.size(), 1u);
    EXPECT_EQ(parameter.parameters[0].first, "id");
    EXPECT_EQ(parameter.parameters[0].second, "42");
}

TEST(RouteTable, BacktracksWhenLiteralBranchHasNoRoute) {
    RouteTable table;
    table.add("GET", "/a/b/c", "literal", noop());
    table.add("GET", "/a/{x}/d", "parameter", noop());

    auto match = table.match("GET", "/a/b/d");

    ASSERT_EQ(match.kind, RouteMatch::Kind::Found);
    EXPECT_EQ(match.route->owner, "parameter");
    EXPECT_EQ(match.parameters[0].second, "b");
}

TEST(RouteTable, MethodFallsThroughToParameterRoute) {
    RouteTable table;
    table.add("GET", "/a/b", "literal", noop());
    table.add("POST", "/a/{x}", "parameter", noop());

    auto match = table.match("POST", "/a/b");

    ASSERT_EQ(match.kind, RouteMatch::Kind::Found);
    EXPECT_EQ(match.route->owner, "parameter");
}

TEST(RouteTable, HeadUsesGetHandler) {
    RouteTable table;
    table.add("GET", "/hello", "hello", noop());

    auto match = table.match("HEAD", "/hello");

    ASSERT_EQ(match.kind, RouteMatch::Kind::Found);
    EXPECT_EQ(match.route->method, "GET");
}

TEST(RouteTable, UnknownMethodGivesAllowList) {
    RouteTable table;
    table.add("GET", "/items/{id}", "items", noop());
    table.add("DELETE", "/items/{id}", "items", noop());

    auto match = table.match("POST", "/items/7");

    ASSERT_EQ(match.kind, RouteMatch::Kind::MethodNotAllowed);
    std::vector<std::string> expected = {"DELETE", "GET", "HEAD"};
    EXPECT_EQ(match.allowed_methods, expected);
}

TEST(RouteTable, UnknownPathIsNotFound) {
    RouteTable table;
    table.add("GET", "/items", "items", noop());

    EXPECT_EQ(table.match("GET", "/other").kind, RouteMatch::Kind::NotFound);
    EXPECT_EQ(table.match("GET", "/items/1").kind, RouteMatch::Kind::NotFound);
}

TEST(RouteTable, TrailingSlashIsADifferentPath) {
    RouteTable table;
    table.add("GET", "/a", "plain", noop());

    EXPECT_EQ(table.match("GET", "/a").kind, RouteMatch::Kind::Found);
    EXPECT_EQ(table.match("GET", "/a/").kind, RouteMatch::Kind::NotFound);
}

TEST(RouteTable, ParameterNeedsNonEmptySegment) {
    RouteTable table;
    table.add("GET", "/items/{id}", "items", noop());

    EXPECT_EQ(table.match("GET", "/items/").kind, RouteMatch::Kind::NotFound);
}

TEST(RouteTable, ParametersArePercentDecoded) {
    RouteTable table;
    table.add("GET", "/files/{name}", "files", noop());

    auto match = table.match("GET", "/files/a%20b%2Fc%C3%A9");

    ASSERT_EQ(match.kind, RouteMatch::Kind::Found);
    EXPECT_EQ(match.parameters[0].second, "a b/c\xC3\xA9");
}

TEST(RouteTable, InvalidPercentEscapeIsBadPath) {
    RouteTable table;
    table.add("GET", "/files/{name}", "files", noop());

    EXPECT_EQ(table.match("GET", "/files/a%2").kind, RouteMatch::Kind::BadPath);
    EXPECT_EQ(table.match("GET", "/files/a%zz").kind, RouteMatch::Kind::BadPath);
    EXPECT_EQ(table.match("GET", "/files/a%00").kind, RouteMatch::Kind::BadPath);
    EXPECT_EQ(table.match("GET", "files").kind, RouteMatch::Kind::BadPath);
}

TEST(RouteTable, ConflictIgnoresParameterNamesAndNamesHolder) {
    RouteTable table;
    table.add("GET", "/a/{x}", "first", noop());

    try {
        table.add("GET", "/a/{y}", "second", noop());
        FAIL() << "expected a RouteError";
    } catch (const sdk::RouteError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("first"), std::string::npos) << message;
        EXPECT_NE(message.find("/a/{x}"), std::string::npos) << message;
    }
}

TEST(RouteTable, LiteralAndParameterDoNotConflict) {
    RouteTable table;
    table.add("GET", "/a/{x}", "first", noop());

    EXPECT_NO_THROW(table.add("GET", "/a/b", "second", noop()));
    EXPECT_NO_THROW(table.add("POST", "/a/{y}", "third", noop()));
}

TEST(RouteTable, ReservedPrefixesAreRejected) {
    RouteTable table;

    EXPECT_THROW(table.add("GET", "/admin", "p", noop()), sdk::RouteError);
    EXPECT_THROW(table.add("GET", "/admin/x", "p", noop()), sdk::RouteError);
    EXPECT_THROW(table.add("GET", "/metrics", "p", noop()), sdk::RouteError);
    EXPECT_THROW(table.add("GET", "/healthz", "p", noop()), sdk::RouteError);
    EXPECT_THROW(table.add("GET", "/readyz/{x}", "p", noop()), sdk::RouteError);
    EXPECT_NO_THROW(table.add("GET", "/administrator", "p", noop()));
}

TEST(RouteTable, InvalidPatternsAreRejected) {
    RouteTable table;
    const char* patterns[] = {
        "", "items", "/a//b", "/{}", "/{1x}", "/{a}/{a}", "/a b", "/a{b}", "/a?x"};

    for (const char* pattern : patterns) {
        EXPECT_THROW(table.add("GET", pattern, "p", noop()), sdk::RouteError) << pattern;
    }
}

TEST(RouteTable, InvalidMethodIsRejected) {
    RouteTable table;

    EXPECT_THROW(table.add("get", "/a", "p", noop()), sdk::RouteError);
    EXPECT_THROW(table.add("", "/a", "p", noop()), sdk::RouteError);
    EXPECT_THROW(table.add("GE T", "/a", "p", noop()), sdk::RouteError);
}

TEST(RouteTable, RemoveOwnerDropsOnlyItsRoutes) {
    RouteTable table;
    table.add("GET", "/a", "keep", noop());
    table.add("GET", "/b", "drop", noop());
    table.add("POST", "/a", "drop", noop());

    table.removeOwner("drop");

    EXPECT_EQ(table.match("GET", "/a").kind, RouteMatch::Kind::Found);
    EXPECT_EQ(table.match("GET", "/b").kind, RouteMatch::Kind::NotFound);
    EXPECT_EQ(table.match("POST", "/a").kind, RouteMatch::Kind::MethodNotAllowed);
    EXPECT_EQ(table.routes().size(), 1u);
}

TEST(RouteTable, ReservedPathCheck) {
    EXPECT_TRUE(RouteTable::isReservedPath("/metrics"));
    EXPECT_TRUE(RouteTable::isReservedPath("/admin/plugins"));
    EXPECT_FALSE(RouteTable::isReservedPath("/adminx"));
    EXPECT_FALSE(RouteTable::isReservedPath("/api/admin"));
}

}  // namespace
}  // namespace valhalla::host::server
