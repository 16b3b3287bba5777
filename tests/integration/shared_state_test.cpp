#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "support/server_process.hpp"
#include <signal.h>

namespace valhalla::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAdminToken = "test-admin-token-0123456789";

/// A keep-alive connection, which stays with the worker that accepted it.
class WorkerConnection {
public:
    explicit WorkerConnection(int port) : session_("127.0.0.1", static_cast<Poco::UInt16>(port)) {
        session_.setKeepAlive(true);
        session_.setTimeout(Poco::Timespan(5, 0));
    }

    /// Sends a GET and returns the status and body.
    std::pair<int, std::string> get(const std::string& path, bool admin = false) {
        Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
        if (admin) {
            request.set("Authorization", std::string("Bearer ") + kAdminToken);
        }
        session_.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::string body;
        Poco::StreamCopier::copyToString(session_.receiveResponse(response), body);
        return {static_cast<int>(response.getStatus()), body};
    }

    /// Sends a bodyless request with `method` and returns the status.
    int send(const std::string& method, const std::string& path) {
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentLength(0);
        session_.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::string body;
        Poco::StreamCopier::copyToString(session_.receiveResponse(response), body);
        return static_cast<int>(response.getStatus());
    }

    int post(const std::string& path) { return send("POST", path); }

    int put(const std::string& path) { return send("PUT", path); }

    pid_t pid() {
        auto [status, body] = get("/test/pid");
        if (status != 200) {
            throw std::runtime_error("GET /test/pid returned " + std::to_string(status));
        }
        auto object = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
        return static_cast<pid_t>(object->getValue<int>("pid"));
    }

private:
    Poco::Net::HTTPClientSession session_;
};

/// Opens keep-alive connections until two are served by different workers.
std::pair<std::unique_ptr<WorkerConnection>, std::unique_ptr<WorkerConnection>>
connectionsToTwoWorkers(int port) {
    auto first = std::make_unique<WorkerConnection>(port);
    pid_t first_pid = first->pid();
    for (int attempt = 0; attempt < 200; ++attempt) {
        auto second = std::make_unique<WorkerConnection>(port);
        if (second->pid() != first_pid) {
            return {std::move(first), std::move(second)};
        }
        std::this_thread::sleep_for(5ms);
    }
    throw std::runtime_error("200 connections all went to worker " + std::to_string(first_pid));
}

/// Returns the value of the metric line that starts with `series` followed by a
/// space, or -1 when there is none.
long long metricValue(const std::string& text, const std::string& series) {
    std::string prefix = "\n" + series + " ";
    auto at = ("\n" + text).find(prefix);
    if (at == std::string::npos) {
        return -1;
    }
    return std::stoll(text.substr(at + prefix.size() - 1));
}

const std::string kHelloSeries =
    R"(valhalla_http_requests_total{plugin="hello",route="/hello",status="2xx"})";
const std::string kNotFoundSeries =
    R"(valhalla_http_requests_total{plugin="host",route="-",status="4xx"})";

ServerOptions twoWorkers() {
    ServerOptions options;
    options.environment["PLUGIN_DIR"] = makeTemporaryDirectory();
    populatePluginDirectory(options.environment["PLUGIN_DIR"], {"hello"}, {"pid_reporter"});
    options.environment["ADMIN_TOKEN"] = kAdminToken;
    options.environment["WORKERS"] = "2";
    return options;
}

std::size_t countReady(const std::string& log) {
    static const std::regex kReady("worker ready pid=");
    return static_cast<std::size_t>(std::distance(
        std::sregex_iterator(log.begin(), log.end(), kReady), std::sregex_iterator()));
}

bool waitForReadyCount(const ServerProcess& server, std::size_t count) {
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (countReady(server.log()) < count) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

TEST(SharedState, MetricsSumOverWorkers) {
    auto server = ServerProcess::start(twoWorkers());
    ASSERT_TRUE(waitForReadyCount(*server, 2)) << server->log();
    auto [a, b] = connectionsToTwoWorkers(server->port());

    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(a->get("/hello").first, 200);
    }
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(b->get("/hello").first, 200);
    }
    EXPECT_EQ(b->get("/no/such/route").first, 404);
    auto [status_a, metrics_a] = a->get("/metrics");
    auto [status_b, metrics_b] = b->get("/metrics");

    ASSERT_EQ(status_a, 200);
    ASSERT_EQ(status_b, 200);
    EXPECT_EQ(metricValue(metrics_a, kHelloSeries), 7) << metrics_a;
    EXPECT_EQ(metricValue(metrics_b, kHelloSeries), 7) << metrics_b;
    EXPECT_EQ(metricValue(metrics_a, kNotFoundSeries), 1);
    EXPECT_EQ(metricValue(metrics_a, "valhalla_workers"), 2);
    EXPECT_EQ(metricValue(metrics_a, "valhalla_generation"), 1);
    // The scrape that produced the text is still in flight.
    EXPECT_EQ(metricValue(metrics_b, "valhalla_http_requests_in_flight"), 1);
}

TEST(SharedState, MetricsSurviveWorkerReplacement) {
    auto server = ServerProcess::start(twoWorkers());
    ASSERT_TRUE(waitForReadyCount(*server, 2)) << server->log();
    auto [victim, survivor] = connectionsToTwoWorkers(server->port());
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(victim->get("/hello").first, 200);
    }
    pid_t victim_pid = victim->pid();

    ASSERT_EQ(::kill(victim_pid, SIGKILL), 0);
    ASSERT_TRUE(waitForReadyCount(*server, 3)) << server->log();
    auto [status, metrics] = survivor->get("/metrics");

    ASSERT_EQ(status, 200);
    EXPECT_EQ(metricValue(metrics, kHelloSeries), 5) << metrics;
    EXPECT_EQ(metricValue(metrics, "valhalla_worker_restarts_total"), 1);
    EXPECT_EQ(metricValue(metrics, "valhalla_workers"), 2);
    EXPECT_EQ(metricValue(metrics, "valhalla_http_requests_in_flight"), 1);
}

/// Returns the pids in the `workers` list of an /admin/plugins body, with their states.
std::map<pid_t, std::string> recordedWorkers(const std::string& body) {
    auto root = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    std::map<pid_t, std::string> workers;
    auto list = root->getArray("workers");
    for (std::size_t i = 0; list && i < list->size(); ++i) {
        auto entry = list->getObject(static_cast<unsigned>(i));
        workers[static_cast<pid_t>(entry->getValue<int>("pid"))] =
            entry->getValue<std::string>("state");
    }
    return workers;
}

TEST(SharedState, EveryWorkerReportsWholeServer) {
    auto server = ServerProcess::start(twoWorkers());
    ASSERT_TRUE(waitForReadyCount(*server, 2)) << server->log();
    auto [a, b] = connectionsToTwoWorkers(server->port());
    pid_t pid_a = a->pid();
    pid_t pid_b = b->pid();

    auto [status_a, body_a] = a->get("/admin/plugins", true);
    auto [status_b, body_b] = b->get("/admin/plugins", true);

    ASSERT_EQ(status_a, 200);
    ASSERT_EQ(status_b, 200);
    std::map<pid_t, std::string> expected = {{pid_a, "ready"}, {pid_b, "ready"}};
    EXPECT_EQ(recordedWorkers(body_a), expected) << body_a;
    EXPECT_EQ(recordedWorkers(body_b), expected) << body_b;
    auto root = Poco::JSON::Parser().parse(body_b).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(root->getValue<int>("generation"), 1);
    EXPECT_EQ(root->getArray("plugins")->size(), 2u);
    EXPECT_EQ(root->getArray("reload_failures")->size(), 0u);
}

TEST(SharedState, ReloadFailureVisibleEverywhere) {
    auto options = twoWorkers();
    std::string directory = options.environment["PLUGIN_DIR"];
    auto server = ServerProcess::start(options);
    ASSERT_TRUE(waitForReadyCount(*server, 2)) << server->log();
    auto [a, b] = connectionsToTwoWorkers(server->port());
    std::filesystem::copy_file(testPluginPath("start_throws"),
                               std::filesystem::path(directory) / "start_throws.so");

    ASSERT_TRUE(server->waitForLog("reload failed", 15s)) << server->log();
    std::string body_a;
    std::string body_b;
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(20ms)) {
        body_a = a->get("/admin/plugins", true).second;
        body_b = b->get("/admin/plugins", true).second;
        // The supervisor logs the failure before it publishes its record, and the
        // candidate generation names the file before the failure is recorded.
        const std::string recorded = "\"reload_failures\":[{";
        if (body_a.find(recorded) != std::string::npos &&
            body_b.find(recorded) != std::string::npos) {
            break;
        }
    }
    auto metrics = a->get("/metrics").second;

    for (const auto& body : {body_a, body_b}) {
        auto root = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
        auto failures = root->getArray("reload_failures");
        ASSERT_EQ(failures->size(), 1u) << body;
        auto failure = failures->getObject(0);
        EXPECT_NE(failure->getValue<std::string>("reason").find("start_throws.so"),
                  std::string::npos)
            << body;
        std::string report;
        auto plugins = failure->getArray("plugins");
        ASSERT_TRUE(plugins) << body;
        for (std::size_t i = 0; i < plugins->size(); ++i) {
            auto plugin = plugins->getObject(static_cast<unsigned>(i));
            if (plugin->getValue<std::string>("file") == "start_throws.so") {
                report = plugin->getValue<std::string>("state") + ": " +
                         plugin->optValue<std::string>("error", "");
            }
        }
        EXPECT_EQ(report.rfind("failed: ", 0), 0u) << body;
        EXPECT_EQ(root->getValue<int>("generation"), 1);
    }
    EXPECT_EQ(metricValue(metrics, "valhalla_reloads_failed_total"), 1) << metrics;
    EXPECT_EQ(metricValue(metrics, "valhalla_plugin_load_failures_total"), 1);
    EXPECT_EQ(a->get("/hello").first, 200);
}

TEST(SharedState, GaugesCoverConnectionsAndPools) {
    auto options = twoWorkers();
    options.environment["MYSQL_POOL_SIZE"] = "3";
    auto server = ServerProcess::start(options);
    ASSERT_TRUE(waitForReadyCount(*server, 2)) << server->log();
    std::vector<std::unique_ptr<WorkerConnection>> idle;
    for (int i = 0; i < 5; ++i) {
        idle.push_back(std::make_unique<WorkerConnection>(server->port()));
        ASSERT_EQ(idle.back()->get("/hello").first, 200);
    }
    WorkerConnection scraper(server->port());

    // Connection gauges lag by a sweep (100 ms) and pool gauges by a watchdog period
    // (at most 1 s), so poll until both appear.
    std::string metrics;
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(100ms)) {
        metrics = scraper.get("/metrics").second;
        if (metricValue(metrics, "valhalla_connections_idle") >= 5 &&
            metricValue(metrics, "valhalla_db_pool_size") == 6) {
            break;
        }
    }

    EXPECT_GE(metricValue(metrics, "valhalla_connections_open"), 6) << metrics;
    EXPECT_GE(metricValue(metrics, "valhalla_connections_idle"), 5);
    EXPECT_EQ(metricValue(metrics, "valhalla_db_pool_size"), 6);
    EXPECT_EQ(metricValue(metrics, "valhalla_db_pool_sessions_in_use"), 0);
    // A sweep can catch this scrape itself between the poll thread and a request thread.
    EXPECT_LE(metricValue(metrics, "valhalla_request_queue_length"), 1);
    EXPECT_GE(metricValue(metrics, "valhalla_request_queue_length"), 0);
}

TEST(SharedState, PluginMetricsSumOverWorkers) {
    auto options = twoWorkers();
    populatePluginDirectory(options.environment["PLUGIN_DIR"], {}, {"metrics_reporter"});
    auto server = ServerProcess::start(options);
    ASSERT_TRUE(waitForReadyCount(*server, 2)) << server->log();
    auto [a, b] = connectionsToTwoWorkers(server->port());

    EXPECT_EQ(a->post("/test/widgets?size=0.5"), 204);
    EXPECT_EQ(a->post("/test/widgets?size=5"), 204);
    EXPECT_EQ(b->post("/test/widgets?size=50"), 204);
    EXPECT_EQ(b->post("/test/widgets?size=500"), 204);
    auto metrics = b->get("/metrics").second;

    EXPECT_EQ(metricValue(metrics, "metrics_reporter_widgets_total"), 4) << metrics;
    EXPECT_NE(metrics.find("# TYPE metrics_reporter_widgets_total counter\n"), std::string::npos);
    EXPECT_EQ(metricValue(metrics, R"(metrics_reporter_widget_size_bucket{le="1"})"), 1);
    EXPECT_EQ(metricValue(metrics, R"(metrics_reporter_widget_size_bucket{le="10"})"), 2);
    EXPECT_EQ(metricValue(metrics, R"(metrics_reporter_widget_size_bucket{le="100"})"), 3);
    EXPECT_EQ(metricValue(metrics, R"(metrics_reporter_widget_size_bucket{le="+Inf"})"), 4);
    EXPECT_EQ(metricValue(metrics, "metrics_reporter_widget_size_count"), 4);
    EXPECT_NE(metrics.find("\nmetrics_reporter_widget_size_sum 555.5\n"), std::string::npos);
}

TEST(SharedState, PluginReadinessGatesReadyz) {
    ServerOptions options;
    options.environment["PLUGIN_DIR"] = makeTemporaryDirectory();
    populatePluginDirectory(options.environment["PLUGIN_DIR"], {"hello"}, {"metrics_reporter"});
    auto server = ServerProcess::start(options);
    WorkerConnection connection(server->port());

    auto ready = connection.get("/readyz");
    ASSERT_EQ(connection.put("/test/ready/off"), 204);
    auto not_ready = connection.get("/readyz");
    ASSERT_EQ(connection.put("/test/ready/on"), 204);
    auto ready_again = connection.get("/readyz");

    EXPECT_EQ(ready.first, 200) << ready.second;
    EXPECT_EQ(not_ready.first, 503) << not_ready.second;
    EXPECT_NE(not_ready.second.find("metrics_reporter: switched off by a test"), std::string::npos)
        << not_ready.second;
    EXPECT_EQ(ready_again.first, 200) << ready_again.second;
}

}  // namespace
}  // namespace valhalla::test
