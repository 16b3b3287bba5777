#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

Poco::JSON::Object::Ptr parseObject(const std::string& body) {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
}

class ErrorsTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        plugin_directory_ = new std::string(makeTemporaryDirectory());
        populatePluginDirectory(*plugin_directory_, {"hello"}, {"throwing"});
        ServerOptions options;
        options.environment["PLUGIN_DIR"] = *plugin_directory_;
        options.arguments = {"--define", "server.max_body_size=1KiB"};
        server_ = ServerProcess::start(options).release();
    }

    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
        delete plugin_directory_;
        plugin_directory_ = nullptr;
    }

    static int port() { return server_->port(); }

    static ServerProcess* server_;
    static std::string* plugin_directory_;
};

ServerProcess* ErrorsTest::server_ = nullptr;
std::string* ErrorsTest::plugin_directory_ = nullptr;

TEST_F(ErrorsTest, StdExceptionGives500ThenServes) {
    auto failed = httpRequest(port(), "GET", "/test/throw/std");
    auto next = httpRequest(port(), "GET", "/hello");

    EXPECT_EQ(failed.status, 500);
    EXPECT_EQ(failed.header("content-type"), "application/problem+json");
    auto problem = parseObject(failed.body);
    EXPECT_EQ(problem->getValue<int>("status"), 500);
    EXPECT_EQ(problem->getValue<std::string>("request_id"), failed.header("x-request-id"));
    EXPECT_EQ(next.status, 200);
    EXPECT_TRUE(server_->waitForLog("deliberate std::runtime_error", std::chrono::seconds(5)));
    EXPECT_TRUE(
        server_->waitForLog("plugin=throwing route=/test/throw/std", std::chrono::seconds(5)));
}

TEST_F(ErrorsTest, NonStandardExceptionGives500) {
    auto failed = httpRequest(port(), "GET", "/test/throw/int");
    auto next = httpRequest(port(), "GET", "/hello");

    EXPECT_EQ(failed.status, 500);
    EXPECT_EQ(next.status, 200);
    EXPECT_TRUE(server_->waitForLog("not derived from std::exception", std::chrono::seconds(5)));
}

TEST_F(ErrorsTest, HttpErrorKeepsStatusAndFields) {
    auto response = httpRequest(port(), "GET", "/test/throw/http");

    EXPECT_EQ(response.status, 409);
    auto problem = parseObject(response.body);
    EXPECT_EQ(problem->getValue<std::string>("title"), "Conflict");
    EXPECT_EQ(problem->getValue<std::string>("detail"), "deliberate conflict");
    auto errors = problem->getArray("errors");
    ASSERT_TRUE(errors);
    ASSERT_EQ(errors->size(), 1u);
    EXPECT_EQ(errors->getObject(0)->getValue<std::string>("field"), "name");
}

TEST_F(ErrorsTest, UnknownPathGives404Problem) {
    auto response = httpRequest(port(), "GET", "/no/such/path");

    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.reason, "Not Found");
    auto problem = parseObject(response.body);
    EXPECT_EQ(problem->getValue<std::string>("type"), "about:blank");
    EXPECT_EQ(problem->getValue<int>("status"), 404);
    EXPECT_FALSE(problem->getValue<std::string>("request_id").empty());
}

TEST_F(ErrorsTest, WrongMethodGives405WithAllow) {
    auto response = httpRequest(port(), "DELETE", "/hello");

    EXPECT_EQ(response.status, 405);
    EXPECT_EQ(response.header("allow"), "GET, HEAD");
}

TEST_F(ErrorsTest, HeadHasNoBody) {
    auto get = httpRequest(port(), "GET", "/hello");
    auto head = httpRequest(port(), "HEAD", "/hello");

    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(head.header("content-length"), get.header("content-length"));
}

TEST_F(ErrorsTest, EmptyResponseHasZeroContentLength) {
    auto response = httpRequest(port(), "GET", "/test/empty");

    EXPECT_EQ(response.status, 202);
    EXPECT_EQ(response.header("content-length"), "0");
}

TEST_F(ErrorsTest, WellFormedRequestIdIsKept) {
    auto kept = httpRequest(port(), "GET", "/hello", "", {{"X-Request-Id", "client-id.42"}});
    auto replaced =
        httpRequest(port(), "GET", "/hello", "", {{"X-Request-Id", "bad id with spaces"}});

    EXPECT_EQ(kept.header("x-request-id"), "client-id.42");
    EXPECT_NE(replaced.header("x-request-id"), "bad id with spaces");
    EXPECT_EQ(replaced.header("x-request-id").size(), 16u);
}

TEST_F(ErrorsTest, PathAndQueryParametersAreDecoded) {
    auto response = httpRequest(port(), "GET", "/test/echo/a%20b/%C3%A9?q=x%26y");

    ASSERT_EQ(response.status, 200);
    auto body = parseObject(response.body);
    EXPECT_EQ(body->getValue<std::string>("first"), "a b");
    EXPECT_EQ(body->getValue<std::string>("second"), "\xC3\xA9");
    EXPECT_EQ(body->getValue<std::string>("q"), "x&y");
}

TEST_F(ErrorsTest, InvalidPercentEscapeGives400) {
    auto response = httpRequest(port(), "GET", "/test/echo/a%zz/b");

    EXPECT_EQ(response.status, 400);
}

TEST_F(ErrorsTest, OversizedBodyGives413) {
    std::string body(2048, 'x');

    auto response = httpRequest(port(), "POST", "/hello", body, {{"Content-Type", "text/plain"}});

    EXPECT_EQ(response.status, 413);
    auto problem = parseObject(response.body);
    EXPECT_NE(problem->getValue<std::string>("detail").find("server.max_body_size"),
              std::string::npos);
}

TEST_F(ErrorsTest, AdminApiIsOffWithoutToken) {
    auto response = httpRequest(port(), "GET", "/admin/plugins");

    EXPECT_EQ(response.status, 404);
}

TEST_F(ErrorsTest, HealthzAnswers) {
    auto response = httpRequest(port(), "GET", "/healthz");

    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(parseObject(response.body)->getValue<std::string>("status"), "ok");
}

TEST_F(ErrorsTest, AccessLogHasRouteFields) {
    auto response = httpRequest(
        port(), "GET", "/test/echo/x/y?q=secret-token", "", {{"X-Request-Id", "access-log-check"}});

    EXPECT_EQ(response.status, 200);
    EXPECT_TRUE(server_->waitForLog("path=/test/echo/x/y status=200", std::chrono::seconds(5)));
    EXPECT_TRUE(server_->waitForLog(
        "request_id=access-log-check plugin=throwing route=/test/echo/{first}/{second}",
        std::chrono::seconds(5)));
    EXPECT_EQ(server_->log().find("secret-token"), std::string::npos);
}

}  // namespace
}  // namespace valhalla::test
