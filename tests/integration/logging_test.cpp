#include <sstream>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        if (!line.empty()) {
            result.push_back(line);
        }
    }
    return result;
}

/// Returns the parsed access-log line of the request with `request_id`, or null.
Poco::JSON::Object::Ptr accessRecord(const std::string& log, const std::string& request_id) {
    for (const auto& line : lines(log)) {
        if (line.find("\"logger\":\"access\"") == std::string::npos ||
            line.find(request_id) == std::string::npos) {
            continue;
        }
        return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    }
    return nullptr;
}

TEST(Logging, JsonLinesCarryPidAndGeneration) {
    ServerOptions options;
    options.environment["LOG_FORMAT"] = "json";
    options.environment["WORKERS"] = "2";
    auto server = ServerProcess::start(options);
    ASSERT_EQ(httpRequest(server->port(), "GET", "/hello").status, 200);
    ASSERT_TRUE(server->waitForLog("\"logger\":\"access\"", 5s));

    auto log_lines = lines(server->log());

    ASSERT_GT(log_lines.size(), 5u);
    for (const auto& line : log_lines) {
        Poco::JSON::Object::Ptr object;
        ASSERT_NO_THROW(object =
                            Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>())
            << line;
        EXPECT_GT(object->getValue<int>("pid"), 0) << line;
        EXPECT_TRUE(object->has("generation")) << line;
    }
}

TEST(Logging, AccessRecordFromTrustedProxy) {
    ServerOptions options;
    options.environment["LOG_FORMAT"] = "json";
    options.arguments.push_back("--define=server.trusted_proxies=127.0.0.1");
    auto server = ServerProcess::start(options);

    auto response = httpRequest(
        server->port(),
        "GET",
        "/hello?token=query-secret",
        "",
        {{"X-Forwarded-For", "192.0.2.1, 198.51.100.7"}, {"X-Request-Id", "proxy-test-0001"}});
    ASSERT_EQ(response.status, 200);
    ASSERT_TRUE(server->waitForLog("proxy-test-0001", 5s));
    auto record = accessRecord(server->log(), "proxy-test-0001");

    ASSERT_TRUE(record) << server->log();
    EXPECT_EQ(record->getValue<std::string>("remote"), "198.51.100.7");
    EXPECT_EQ(record->getValue<std::string>("method"), "GET");
    EXPECT_EQ(record->getValue<std::string>("path"), "/hello");
    EXPECT_EQ(record->getValue<int>("status"), 200);
    EXPECT_EQ(record->getValue<int>("bytes"), static_cast<int>(response.body.size()));
    EXPECT_GE(record->getValue<double>("duration_ms"), 0.0);
    EXPECT_EQ(record->getValue<std::string>("plugin"), "hello");
    EXPECT_EQ(record->getValue<std::string>("route"), "/hello");
    EXPECT_EQ(record->getValue<int>("generation"), 1);
    EXPECT_EQ(server->log().find("query-secret"), std::string::npos);
}

TEST(Logging, UntrustedForwardedForIgnored) {
    auto server = ServerProcess::start();

    ASSERT_EQ(httpRequest(server->port(),
                          "GET",
                          "/hello",
                          "",
                          {{"X-Forwarded-For", "198.51.100.7"}, {"X-Request-Id", "direct-0001"}})
                  .status,
              200);
    ASSERT_TRUE(server->waitForLog("request_id=direct-0001", 5s));

    EXPECT_TRUE(server->waitForLog("remote=127.0.0.1 method=GET path=/hello status=200", 1s))
        << server->log();
    EXPECT_EQ(server->log().find("198.51.100.7"), std::string::npos);
    EXPECT_NE(server->log().find("generation=1 request remote=127.0.0.1"), std::string::npos);
}

}  // namespace
}  // namespace valhalla::test
