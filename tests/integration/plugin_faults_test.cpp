#include <chrono>
#include <future>
#include <regex>
#include <string>
#include <thread>

#include <Poco/Exception.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ServerOptions crasherServer(int workers) {
    ServerOptions options;
    options.environment["PLUGIN_DIR"] = makeTemporaryDirectory();
    populatePluginDirectory(options.environment["PLUGIN_DIR"], {"hello"}, {"crasher", "ticker"});
    options.environment["WORKERS"] = std::to_string(workers);
    return options;
}

std::size_t countMatches(const std::string& text, const std::string& pattern) {
    std::regex expression(pattern);
    return static_cast<std::size_t>(std::distance(
        std::sregex_iterator(text.begin(), text.end(), expression), std::sregex_iterator()));
}

bool waitForMatches(const ServerProcess& server,
                    const std::string& pattern,
                    std::size_t count,
                    std::chrono::milliseconds timeout) {
    for (auto deadline = Clock::now() + timeout; Clock::now() < deadline;
         std::this_thread::sleep_for(20ms)) {
        if (countMatches(server.log(), pattern) >= count) {
            return true;
        }
    }
    return false;
}

/// Sends `count` requests for /hello on new connections; returns how many got 200.
int helloSuccesses(int port, int count) {
    int successes = 0;
    for (int i = 0; i < count; ++i) {
        try {
            successes += httpRequest(port, "GET", "/hello", "", {}, 5s).status == 200 ? 1 : 0;
        } catch (const Poco::Exception&) {
        }
    }
    return successes;
}

/// Sends one request whose handler kills the worker. Returns the status, or 0 when
/// the connection closed without a response.
int requestThatCrashes(int port, const std::string& path) {
    try {
        return httpRequest(port, "GET", path, "", {}, 10s).status;
    } catch (const Poco::Exception&) {
        return 0;
    }
}

struct CrashCase {
    const char* path;
    int signal;
};

class FatalHandler : public ::testing::TestWithParam<CrashCase> {};

TEST_P(FatalHandler, WorkerReplacedAndHandlerNamed) {
    const CrashCase& crash = GetParam();
    auto server = ServerProcess::start(crasherServer(2));
    ASSERT_TRUE(waitForMatches(*server, "worker ready pid=", 2, 10s)) << server->log();

    int status = requestThatCrashes(server->port(), crash.path);
    bool replaced = waitForMatches(*server, "worker ready pid=", 3, 10s);
    int successes = helloSuccesses(server->port(), 50);

    EXPECT_EQ(status, 0) << "a crashed handler cannot send a response";
    EXPECT_TRUE(replaced) << server->log();
    EXPECT_EQ(successes, 50);
    std::string death = "worker died pid=[0-9]+ signal " + std::to_string(crash.signal) +
                        " \\([A-Za-z ]+\\) in a plugin handler plugin=crasher route=" + crash.path +
                        " request_id=[0-9a-f]+ generation=1";
    EXPECT_EQ(countMatches(server->log(), death), 1u) << server->log();
    EXPECT_EQ(countMatches(server->log(),
                           "worker crashed with signal " + std::to_string(crash.signal) +
                               " in a plugin handler plugin=crasher route=" + crash.path),
              1u);
}

INSTANTIATE_TEST_SUITE_P(Signals,
                         FatalHandler,
                         ::testing::Values(CrashCase{"/test/crash/segv", 11},
                                           CrashCase{"/test/crash/abort", 6}));

TEST(PluginFaults, NonStandardExceptionGives500) {
    auto server = ServerProcess::start(crasherServer(1));

    auto response = httpRequest(server->port(), "GET", "/test/crash/throw-int");
    auto after = httpRequest(server->port(), "GET", "/hello");

    EXPECT_EQ(response.status, 500);
    EXPECT_NE(response.body.find("\"status\":500"), std::string::npos) << response.body;
    EXPECT_EQ(after.status, 200);
    EXPECT_TRUE(server->waitForLog(
        "handler failed plugin=crasher route=/test/crash/throw-int request_id=", 5s))
        << server->log();
    EXPECT_EQ(server->log().find("worker died"), std::string::npos);
}

TEST(PluginFaults, StuckHandlerReplacesWorker) {
    auto options = crasherServer(1);
    options.environment["DRAIN_TIMEOUT"] = "2s";
    options.arguments.push_back("--define=server.handler_timeout=1s");
    auto server = ServerProcess::start(options);
    ASSERT_TRUE(waitForMatches(*server, "worker ready pid=", 1, 10s)) << server->log();

    auto started = Clock::now();
    auto hung = std::async(std::launch::async,
                           [&] { return requestThatCrashes(server->port(), "/test/hang"); });
    bool reported = server->waitForLog("handler exceeded server.handler_timeout", 5s);
    bool replaced = waitForMatches(*server, "worker ready pid=", 2, 10s);
    int successes = helloSuccesses(server->port(), 20);
    int hung_status = hung.get();
    auto hung_for = Clock::now() - started;
    bool ended = server->waitForLog("stuck worker ended pid=", 5s);

    EXPECT_TRUE(reported) << server->log();
    EXPECT_TRUE(replaced) << server->log();
    EXPECT_EQ(successes, 20);
    EXPECT_EQ(hung_status, 0) << "the stuck request must end with a closed connection";
    EXPECT_LT(hung_for, 8s);
    EXPECT_TRUE(ended) << server->log();
    EXPECT_NE(server->log().find("plugin=crasher route=/test/hang request_id="), std::string::npos);
    EXPECT_NE(server->log().find("stuck worker did not stop within the drain timeout; killing"),
              std::string::npos)
        << server->log();
    EXPECT_EQ(server->log().find("worker died"), std::string::npos) << server->log();
}

TEST(PluginFaults, BackgroundThreadStopsOnTerm) {
    auto server = ServerProcess::start(crasherServer(1));
    ASSERT_TRUE(server->waitForLog("ticker started", 5s));
    std::this_thread::sleep_for(100ms);

    auto exit_code = server->stop(10s);

    ASSERT_TRUE(exit_code.has_value()) << server->log();
    EXPECT_EQ(*exit_code, 0);
    EXPECT_EQ(countMatches(server->log(), "ticker stopped ticks=[1-9][0-9]*"), 1u) << server->log();
    auto stopped_at = server->log().find("ticker stopped");
    auto worker_stopped_at = server->log().find("worker stopped");
    EXPECT_LT(stopped_at, worker_stopped_at);
}

}  // namespace
}  // namespace valhalla::test
