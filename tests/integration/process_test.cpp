#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace valhalla::test {
namespace {

namespace fs = std::filesystem;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kAdminToken = "test-admin-token-0123456789";
constexpr int kConfigExitCode = 78;

ServerOptions optionsFor(const std::string& plugin_directory, int workers = 2) {
    ServerOptions options;
    options.environment["PLUGIN_DIR"] = plugin_directory;
    options.environment["ADMIN_TOKEN"] = kAdminToken;
    options.environment["WORKERS"] = std::to_string(workers);
    return options;
}

std::size_t countOccurrences(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

/// Waits until the server log contains `needle` at least `count` times.
bool waitForLogCount(const ServerProcess& server,
                     const std::string& needle,
                     std::size_t count,
                     std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (countOccurrences(server.log(), needle) < count) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

/// Returns the pids of the workers that reported ready, by generation, from the log.
std::map<int, std::set<pid_t>> readyWorkers(const std::string& log) {
    static const std::regex kReady(R"(worker ready pid=(\d+) generation=(\d+))");
    std::map<int, std::set<pid_t>> workers;
    for (std::sregex_iterator it(log.begin(), log.end(), kReady), end; it != end; ++it) {
        workers[std::stoi((*it)[2])].insert(static_cast<pid_t>(std::stol((*it)[1])));
    }
    return workers;
}

/// Waits until `count` workers of `generation` have reported ready.
bool waitForReadyWorkers(const ServerProcess& server,
                         int generation,
                         std::size_t count,
                         std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (readyWorkers(server.log())[generation].size() < count) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

/// One `worker died` line of the supervisor.
struct WorkerDeath {
    pid_t pid = 0;
    /// Signal or exit status, as the supervisor describes it.
    std::string cause;
    int generation = 0;
    int slot = 0;
    int restart_delay_ms = 0;
};

std::vector<WorkerDeath> workerDeaths(const std::string& log) {
    static const std::regex kDied(
        R"(worker died pid=(\d+) (.+?) generation=(\d+) slot=(\d+); restarting in (\d+) ms)");
    std::vector<WorkerDeath> deaths;
    for (std::sregex_iterator it(log.begin(), log.end(), kDied), end; it != end; ++it) {
        WorkerDeath death;
        death.pid = static_cast<pid_t>(std::stol((*it)[1]));
        death.cause = (*it)[2];
        death.generation = std::stoi((*it)[3]);
        death.slot = std::stoi((*it)[4]);
        death.restart_delay_ms = std::stoi((*it)[5]);
        deaths.push_back(death);
    }
    return deaths;
}

/// Returns the pids from `worker started pid=P generation=<generation>` lines.
std::set<pid_t> startedWorkers(const std::string& log, int generation) {
    const std::regex started("worker started pid=(\\d+) generation=" + std::to_string(generation) +
                             " slot=");
    std::set<pid_t> pids;
    for (std::sregex_iterator it(log.begin(), log.end(), started), end; it != end; ++it) {
        pids.insert(static_cast<pid_t>(std::stol((*it)[1])));
    }
    return pids;
}

/// Sends `GET /test/pid` on a new connection and returns the pid of the worker that served it.
pid_t servingPid(int port) {
    auto response = httpRequest(port, "GET", "/test/pid");
    if (response.status != 200) {
        throw std::runtime_error("GET /test/pid returned " + std::to_string(response.status) +
                                 ": " + response.body);
    }
    auto body = Poco::JSON::Parser().parse(response.body).extract<Poco::JSON::Object::Ptr>();
    return static_cast<pid_t>(body->getValue<int>("pid"));
}

/// Result of sending `GET /test/pid` on new connections.
struct PidSample {
    std::set<pid_t> pids;
    int requests = 0;
    int failures = 0;
    std::string first_failure;
};

/// Sends `GET /test/pid`, each on a new connection, until `wanted` distinct workers
/// have responded (never when `wanted` is 0), at most `max_requests` times and for at
/// most `timeout`.
PidSample samplePids(int port,
                     std::size_t wanted,
                     int max_requests = 400,
                     std::chrono::milliseconds timeout = 10s) {
    PidSample sample;
    auto deadline = Clock::now() + timeout;
    while ((wanted == 0 || sample.pids.size() < wanted) && sample.requests < max_requests &&
           Clock::now() < deadline) {
        ++sample.requests;
        try {
            sample.pids.insert(servingPid(port));
        } catch (const Poco::Exception& error) {
            if (sample.failures++ == 0) {
                sample.first_failure = error.displayText();
            }
        } catch (const std::exception& error) {
            if (sample.failures++ == 0) {
                sample.first_failure = error.what();
            }
        }
        std::this_thread::sleep_for(2ms);
    }
    return sample;
}

/// Polls `GET path` on new connections until the body contains `expected`. Returns
/// whether it did within `timeout`.
bool waitForBody(int port,
                 const std::string& path,
                 const std::string& expected,
                 std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        try {
            auto response = httpRequest(port, "GET", path, "", {}, 2s);
            if (response.status == 200 && response.body.find(expected) != std::string::npos) {
                return true;
            }
        } catch (const Poco::Exception&) {
        }
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

/// Sends `GET path` from a thread over one persistent HTTP/1.1 connection, opening a
/// new one only after a response with `Connection: close`. Every exception and every
/// status other than 200 counts as a failure. Stops after `max_requests` requests or
/// `max_duration`, whichever comes first, or when `finish` is called.
class KeepAliveLoad {
public:
    KeepAliveLoad(int port,
                  std::string path,
                  int max_requests = 20000,
                  std::chrono::milliseconds max_duration = 40s)
        : port_(port), path_(std::move(path)), max_requests_(max_requests) {
        deadline_ = Clock::now() + max_duration;
        thread_ = std::thread([this] { run(); });
    }

    ~KeepAliveLoad() { finish(); }

    KeepAliveLoad(const KeepAliveLoad&) = delete;
    KeepAliveLoad& operator=(const KeepAliveLoad&) = delete;

    /// Stops the loop and waits for its thread. The counters are final afterwards.
    void finish() {
        stop_ = true;
        if (thread_.joinable()) {
            thread_.join();
        }
    }

    /// Waits until the loop has sent at least `count` requests.
    bool waitForRequests(int count, std::chrono::milliseconds timeout) const {
        auto deadline = Clock::now() + timeout;
        while (requests_ < count) {
            if (Clock::now() >= deadline) {
                return false;
            }
            std::this_thread::sleep_for(10ms);
        }
        return true;
    }

    int requests() const { return requests_; }

    int failures() const { return failures_; }

    /// Connections that the server ended with `Connection: close`.
    int closedByServer() const { return closed_by_server_; }

    /// The first five failures, one per line. Read it after `finish`.
    const std::string& failureText() const { return failure_text_; }

    /// The distinct bodies of 200 responses. Read it after `finish`.
    const std::set<std::string>& bodies() const { return bodies_; }

private:
    void run() {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        while (!stop_ && requests_ < max_requests_ && Clock::now() < deadline_) {
            if (!session) {
                session = std::make_unique<Poco::Net::HTTPClientSession>(
                    "127.0.0.1", static_cast<Poco::UInt16>(port_));
                session->setKeepAlive(true);
                session->setTimeout(Poco::Timespan(5, 0));
            }
            ++requests_;
            try {
                if (!sendOne(*session)) {
                    session.reset();
                }
            } catch (const Poco::Exception& error) {
                recordFailure(error.displayText());
                session.reset();
            } catch (const std::exception& error) {
                recordFailure(error.what());
                session.reset();
            }
            std::this_thread::sleep_for(2ms);
        }
    }

    // Returns whether the connection stays open for the next request.
    bool sendOne(Poco::Net::HTTPClientSession& session) {
        Poco::Net::HTTPRequest request(
            Poco::Net::HTTPRequest::HTTP_GET, path_, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::istream& stream = session.receiveResponse(response);
        stream.exceptions(std::ios::badbit);
        std::string body;
        Poco::StreamCopier::copyToString(stream, body);
        if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
            recordFailure("status " + std::to_string(static_cast<int>(response.getStatus())) +
                          ": " + body);
        } else {
            bodies_.insert(body);
        }
        if (!response.getKeepAlive()) {
            ++closed_by_server_;
            return false;
        }
        return true;
    }

    void recordFailure(const std::string& message) {
        if (failures_++ < 5) {
            failure_text_ += "request " + std::to_string(requests_) + ": " + message + "\n";
        }
    }

    int port_;
    std::string path_;
    int max_requests_;
    Clock::time_point deadline_;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::atomic<int> failures_{0};
    std::atomic<int> closed_by_server_{0};
    std::string failure_text_;
    std::set<std::string> bodies_;
    std::thread thread_;
};

std::string readBytes(const std::string& path) {
    std::string bytes = readFile(path);
    if (bytes.empty()) {
        throw std::runtime_error("failed to read " + path +
                                 "; build the valhalla_test_plugins target first");
    }
    return bytes;
}

void writeBytes(const fs::path& path, const std::string& bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << bytes;
    if (!file) {
        throw std::runtime_error("failed to write " + path.string());
    }
}

/// Overwrites `path` in place: opens it for writing with truncation and writes
/// `bytes`, as `cp` does to an existing file.
void overwriteInPlace(const fs::path& path, const std::string& bytes) {
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
    if (fd < 0) {
        throw std::runtime_error("failed to open " + path.string() + " for writing");
    }
    bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
    ::close(fd);
    if (!written) {
        throw std::runtime_error("failed to write " + path.string());
    }
}

/// Waits until `pid` has exited, that is, it no longer exists or is a zombie.
bool waitForProcessExit(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
        auto state_at = stat.rfind(')');
        if (stat.empty() || (state_at != std::string::npos && state_at + 2 < stat.size() &&
                             stat[state_at + 2] == 'Z')) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

std::string adminPlugins(int port) {
    auto response = httpRequest(port,
                                "GET",
                                "/admin/plugins",
                                "",
                                {{"Authorization", std::string("Bearer ") + kAdminToken}});
    if (response.status != 200) {
        throw std::runtime_error("GET /admin/plugins returned " + std::to_string(response.status) +
                                 ": " + response.body);
    }
    return response.body;
}

/// Polls /admin/plugins until its body contains `text`, for at most `timeout`, and
/// returns the last body.
std::string waitForAdminPlugins(int port,
                                const std::string& text,
                                std::chrono::milliseconds timeout) {
    std::string body = adminPlugins(port);
    for (auto deadline = Clock::now() + timeout;
         body.find(text) == std::string::npos && Clock::now() < deadline;
         body = adminPlugins(port)) {
        std::this_thread::sleep_for(20ms);
    }
    return body;
}

/// Returns the version that /admin/plugins reports for the plugin loaded from
/// `file_name`, or an empty string when it lists no such file.
std::string reportedVersion(const std::string& plugins_json, const std::string& file_name) {
    auto body = Poco::JSON::Parser().parse(plugins_json).extract<Poco::JSON::Object::Ptr>();
    auto plugins = body->getArray("plugins");
    for (std::size_t i = 0; i < plugins->size(); ++i) {
        auto entry = plugins->getObject(static_cast<unsigned>(i));
        if (entry->getValue<std::string>("file") == file_name) {
            return entry->getValue<std::string>("version");
        }
    }
    return "";
}

/// Path of the valhalla binary, which the build puts next to this test binary.
std::string valhallaBinary() {
    fs::path binary = fs::read_symlink("/proc/self/exe").parent_path() / "valhalla";
    if (::access(binary.c_str(), X_OK) != 0) {
        throw std::runtime_error("valhalla binary " + binary.string() +
                                 " is missing; build the valhalla target first");
    }
    return binary.string();
}

/// A server started without waiting for `/healthz`, for tests in which no worker
/// ever becomes ready. Stopped by pid when destroyed.
class UnreadyServer {
public:
    UnreadyServer(const std::string& plugin_directory, int workers)
        : directory_(makeTemporaryDirectory()), log_path_(directory_ + "/valhalla.log") {
        fs::create_directories(fs::path(directory_) / "var");
        std::vector<std::string> environment = baseEnvironment();
        environment.push_back("FLASK_HOST=127.0.0.1");
        environment.push_back("FLASK_PORT=" + std::to_string(freePort()));
        environment.push_back("PLUGIN_DIR=" + plugin_directory);
        environment.push_back("SQLITE_PATH=" + directory_ + "/var/valhalla.db");
        environment.push_back("LOG_LEVEL=debug");
        environment.push_back("WORKERS=" + std::to_string(workers));
        pid_ = spawnProcess({valhallaBinary()}, environment, directory_, log_path_);
    }

    ~UnreadyServer() {
        if (!status_) {
            terminateProcess(pid_, 5s);
        }
    }

    UnreadyServer(const UnreadyServer&) = delete;
    UnreadyServer& operator=(const UnreadyServer&) = delete;

    std::string log() const { return readFile(log_path_); }

    /// Sends SIGTERM and waits up to `timeout`. Returns the exit code, or std::nullopt
    /// when the process had to be killed.
    std::optional<int> stop(std::chrono::milliseconds timeout) {
        auto [status, killed] = terminateProcess(pid_, timeout);
        status_ = status;
        if (killed) {
            return std::nullopt;
        }
        return exitCodeOf(status);
    }

private:
    std::string directory_;
    std::string log_path_;
    pid_t pid_ = -1;
    std::optional<int> status_;
};

TEST(WorkerProcesses, TwoWorkersServe) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"pid_reporter"});
    auto server = ServerProcess::start(optionsFor(directory));
    ASSERT_TRUE(waitForReadyWorkers(*server, 1, 2, 10s)) << server->log();

    PidSample sample = samplePids(server->port(), 2);

    EXPECT_EQ(sample.failures, 0) << sample.first_failure;
    ASSERT_EQ(sample.pids.size(), 2u) << "requests=" << sample.requests;
    EXPECT_EQ(sample.pids.count(server->pid()), 0u);
    EXPECT_EQ(sample.pids, readyWorkers(server->log())[1]);
}

TEST(WorkerProcesses, KilledWorkerIsReplaced) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"pid_reporter"});
    auto server = ServerProcess::start(optionsFor(directory));
    ASSERT_TRUE(waitForReadyWorkers(*server, 1, 2, 10s)) << server->log();
    PidSample before = samplePids(server->port(), 2);
    ASSERT_EQ(before.pids.size(), 2u) << before.first_failure;
    pid_t victim = *before.pids.begin();
    pid_t survivor = *before.pids.rbegin();

    ASSERT_EQ(::kill(victim, SIGKILL), 0);
    ASSERT_TRUE(waitForProcessExit(victim, 5s));
    // Runs from the death until the replacement responds, so the first requests fall
    // before the replacement is ready.
    PidSample during = samplePids(server->port(), 2, 2000, 10s);
    PidSample after = samplePids(server->port(), 0, 100, 5s);

    EXPECT_EQ(during.failures, 0) << during.first_failure;
    EXPECT_EQ(after.failures, 0) << after.first_failure;
    EXPECT_EQ(after.requests, 100);
    EXPECT_TRUE(server->waitForLog(
        "worker died pid=" + std::to_string(victim) + " signal 9 (Killed) generation=1", 5s))
        << server->log();
    std::set<pid_t> started = startedWorkers(server->log(), 1);
    EXPECT_EQ(started.size(), 3u) << server->log();
    ASSERT_EQ(during.pids.size(), 2u) << server->log();
    EXPECT_EQ(during.pids.count(survivor), 1u);
    EXPECT_EQ(during.pids.count(victim), 0u);
    EXPECT_EQ(after.pids.count(victim), 0u);
    pid_t replacement =
        *during.pids.begin() == survivor ? *during.pids.rbegin() : *during.pids.begin();
    EXPECT_EQ(started.count(replacement), 1u);
    EXPECT_EQ(before.pids.count(replacement), 0u);
}

TEST(WorkerProcesses, StopFinishesSlowRequest) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"sleeper"});
    auto options = optionsFor(directory);
    options.environment["DRAIN_TIMEOUT"] = "3s";
    auto server = ServerProcess::start(options);
    ASSERT_TRUE(waitForReadyWorkers(*server, 1, 2, 10s)) << server->log();
    std::optional<HttpResponse> slow;
    std::string slow_error;
    std::thread request([&] {
        try {
            slow = httpRequest(server->port(), "GET", "/test/sleep?ms=1500", "", {}, 10s);
        } catch (const Poco::Exception& error) {
            slow_error = error.displayText();
        }
    });
    // Gives the request time to reach a worker before the stop.
    std::this_thread::sleep_for(300ms);

    auto stop_started = Clock::now();
    std::optional<int> exit_code = server->stop(5s);
    auto stop_duration = Clock::now() - stop_started;
    request.join();

    ASSERT_TRUE(slow.has_value()) << slow_error << "\n" << server->log();
    EXPECT_EQ(slow->status, 200);
    EXPECT_NE(slow->body.find("\"slept_ms\":1500"), std::string::npos) << slow->body;
    EXPECT_EQ(exit_code, std::optional<int>(0)) << server->log();
    EXPECT_LT(stop_duration, 5s);
    EXPECT_NE(server->log().find("supervisor stopped"), std::string::npos) << server->log();
}

/// Starts a server on a folder with hello and swap_v1 as `swap.so`, runs a keep-alive
/// load on /test/swap, calls `replace` with the path of `swap.so` and the bytes of
/// swap_v2, and checks that version 2 serves without a failed request.
void expectSwapWithoutFailures(
    const std::function<void(const fs::path&, const std::string&)>& replace) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    fs::copy_file(testPluginPath("swap_v1"), fs::path(directory) / "swap.so");
    auto server = ServerProcess::start(optionsFor(directory));
    ASSERT_TRUE(waitForReadyWorkers(*server, 1, 2, 10s)) << server->log();
    ASSERT_TRUE(waitForBody(server->port(), "/test/swap", "\"version\":\"1\"", 5s));
    KeepAliveLoad load(server->port(), "/test/swap");
    ASSERT_TRUE(load.waitForRequests(20, 5s));

    replace(fs::path(directory) / "swap.so", readBytes(testPluginPath("swap_v2")));
    bool swapped = waitForBody(server->port(), "/test/swap", "\"version\":\"2\"", 10s);
    bool reloaded = server->waitForLog("reload complete generation=2", 10s);
    // Keeps the load running while the old generation drains.
    std::this_thread::sleep_for(1500ms);
    load.finish();

    EXPECT_TRUE(swapped) << server->log();
    EXPECT_TRUE(reloaded) << server->log();
    EXPECT_EQ(load.failures(), 0) << load.failureText();
    EXPECT_GE(load.closedByServer(), 1);
    EXPECT_EQ(load.bodies().count("{\"version\":\"2\"}"), 1u);
    EXPECT_EQ(countOccurrences(server->log(), "reload started"), 1u) << server->log();
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(reportedVersion(adminPlugins(server->port()), "swap.so"), "2.0.0");
    }
}

TEST(WorkerProcesses, RenameReplacesPlugin) {
    expectSwapWithoutFailures([](const fs::path& target, const std::string& bytes) {
        fs::path temporary = target.parent_path() / ".swap.so.tmp";
        writeBytes(temporary, bytes);
        fs::rename(temporary, target);
    });
}

TEST(WorkerProcesses, CopyOverReplacesPlugin) {
    expectSwapWithoutFailures(
        [](const fs::path& target, const std::string& bytes) { overwriteInPlace(target, bytes); });
}

struct BrokenFileCase {
    /// File name in the plugin folder.
    std::string file_name;
    /// Test plugin whose bytes are copied, or empty for garbage bytes.
    std::string test_plugin;
    /// Text that the log must contain after the file is dropped in.
    std::string expected_log;
};

/// Returns the number in the last `reload complete generation=N` line, or 1 when no
/// reload has completed.
int servingGeneration(const std::string& log) {
    static const std::regex kComplete(R"(reload complete generation=(\d+))");
    int generation = 1;
    for (std::sregex_iterator it(log.begin(), log.end(), kComplete), end; it != end; ++it) {
        generation = std::stoi((*it)[1]);
    }
    return generation;
}

/// Counts the reloads that were rejected or failed.
std::size_t unsuccessfulReloads(const std::string& log) {
    return countOccurrences(log, "reload rejected") + countOccurrences(log, "reload failed");
}

TEST(WorkerProcesses, BrokenFilesKeepServingGeneration) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"pid_reporter"});
    auto server = ServerProcess::start(optionsFor(directory));
    ASSERT_TRUE(waitForReadyWorkers(*server, 1, 2, 10s)) << server->log();
    const std::string prefix = "plugin file " + directory + "/";
    const BrokenFileCase cases[] = {
        {"x.so", "", "reload rejected: " + prefix + "x.so is not a valhalla plugin"},
        {"wrong_abi.so",
         "wrong_abi",
         "reload rejected: " + prefix + "wrong_abi.so has an incompatible build"},
        {"start_throws.so", "start_throws", prefix + "start_throws.so failed to load"},
        {"crash_on_start.so",
         "crash_on_start",
         "ended with signal 6 (Aborted) while loading " + prefix +
             "crash_on_start.so before it was ready"},
    };
    KeepAliveLoad load(server->port(), "/hello");
    ASSERT_TRUE(load.waitForRequests(20, 5s));

    for (const auto& broken : cases) {
        SCOPED_TRACE(broken.file_name);
        fs::path path = fs::path(directory) / broken.file_name;
        int serving_generation = servingGeneration(server->log());
        std::size_t unsuccessful = unsuccessfulReloads(server->log());
        std::size_t completed = countOccurrences(server->log(), "reload complete");

        writeBytes(path,
                   broken.test_plugin.empty() ? std::string(4096, 'x')
                                              : readBytes(testPluginPath(broken.test_plugin)));
        ASSERT_TRUE(server->waitForLog(broken.expected_log, 15s)) << server->log();
        ASSERT_TRUE(waitForLogCount(*server, "the serving generation", unsuccessful + 1, 15s))
            << server->log();
        auto hello = httpRequest(server->port(), "GET", "/hello");
        std::string plugins = waitForAdminPlugins(server->port(), broken.file_name, 5s);
        pid_t worker = servingPid(server->port());
        fs::remove(path);
        bool reloaded = waitForLogCount(*server, "reload complete", completed + 1, 15s);

        EXPECT_EQ(unsuccessfulReloads(server->log()), unsuccessful + 1) << server->log();
        EXPECT_EQ(countOccurrences(server->log(), "reload complete"), completed + 1);
        EXPECT_EQ(hello.status, 200);
        EXPECT_NE(plugins.find("\"reload_failures\":[{"), std::string::npos) << plugins;
        EXPECT_NE(plugins.find(broken.file_name), std::string::npos) << plugins;
        EXPECT_EQ(readyWorkers(server->log())[serving_generation].count(worker), 1u)
            << "pid " << worker << " is not a worker of generation " << serving_generation;
        ASSERT_TRUE(reloaded) << server->log();
    }
    load.finish();

    EXPECT_EQ(load.failures(), 0) << load.failureText();
    EXPECT_EQ(countOccurrences(server->log(), "reload complete"), 4u);
}

TEST(WorkerProcesses, SlowWriteLoadsWhenComplete) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    auto server = ServerProcess::start(optionsFor(directory));
    std::string bytes = readBytes(testPluginPath("pid_reporter"));
    fs::path path = fs::path(directory) / "slow.so";

    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    std::size_t half = bytes.size() / 2;
    ASSERT_EQ(::write(fd, bytes.data(), half), static_cast<ssize_t>(half));
    std::this_thread::sleep_for(600ms);
    ASSERT_EQ(::write(fd, bytes.data() + half, bytes.size() - half),
              static_cast<ssize_t>(bytes.size() - half));
    ASSERT_EQ(::close(fd), 0);
    bool serves = waitForBody(server->port(), "/test/pid", "\"pid\"", 10s);
    // A new worker serves as soon as it listens, which can be before the supervisor
    // has read its ready report and logged the reload as complete.
    bool reloaded = server->waitForLog("reload complete", 10s);

    EXPECT_TRUE(serves) << server->log();
    EXPECT_TRUE(reloaded) << server->log();
    EXPECT_EQ(server->log().find("slow.so is not a valhalla plugin"), std::string::npos)
        << server->log();
    EXPECT_EQ(countOccurrences(server->log(), "reload started"), 1u) << server->log();
    EXPECT_EQ(countOccurrences(server->log(), "reload complete"), 1u) << server->log();
}

TEST(WorkerProcesses, AdminReloadStartsGeneration) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    auto server = ServerProcess::start(optionsFor(directory, 1));

    HttpResponse response = httpRequest(server->port(),
                                        "POST",
                                        "/admin/reload",
                                        "",
                                        {{"Authorization", std::string("Bearer ") + kAdminToken}});
    bool reloaded = server->waitForLog("reload complete generation=2", 10s);

    EXPECT_LT(response.status, 300) << response.body;
    EXPECT_TRUE(reloaded) << server->log();
    EXPECT_NE(server->log().find("reload started by POST /admin/reload on worker pid"),
              std::string::npos)
        << server->log();
    EXPECT_EQ(httpRequest(server->port(), "GET", "/hello").status, 200);
}

TEST(WorkerProcesses, IgnoredFilesStartNoReload) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    auto server = ServerProcess::start(optionsFor(directory));

    writeBytes(fs::path(directory) / ".hidden.so", readBytes(testPluginPath("pid_reporter")));
    writeBytes(fs::path(directory) / "notes.txt", "not a plugin\n");
    fs::rename(fs::path(directory) / ".hidden.so", fs::path(directory) / ".hidden-2.so");

    EXPECT_FALSE(server->waitForLog("reload started", 2500ms)) << server->log();
    EXPECT_EQ(httpRequest(server->port(), "GET", "/hello").status, 200);
}

TEST(WorkerProcesses, CrashLoopBacksOff) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"crash_on_start"});
    UnreadyServer server(directory, 2);

    std::vector<int> delays;
    auto deadline = Clock::now() + 5s;
    while (delays.size() < 3 && Clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
        delays.clear();
        for (const auto& death : workerDeaths(server.log())) {
            if (death.slot == 0) {
                delays.push_back(death.restart_delay_ms);
            }
        }
    }
    std::string log = server.log();
    std::optional<int> exit_code = server.stop(5s);

    ASSERT_GE(delays.size(), 3u) << log;
    EXPECT_EQ(delays[0], 100);
    EXPECT_EQ(delays[1], 200);
    EXPECT_EQ(delays[2], 400);
    EXPECT_NE(log.find("signal 6 (Aborted) while loading plugin file"), std::string::npos) << log;
    EXPECT_NE(log.find("crash_on_start.so generation=1 slot=0"), std::string::npos) << log;
    EXPECT_EQ(log.find("worker ready"), std::string::npos) << log;
    EXPECT_EQ(exit_code, std::optional<int>(0)) << server.log();
    EXPECT_NE(server.log().find("supervisor stopped"), std::string::npos) << server.log();
}

TEST(WorkerProcesses, RequiredPluginFailureExits) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"start_throws"});
    auto options = optionsFor(directory);
    options.environment["PLUGINS_REQUIRED"] = "start_throws";
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 15s, log);

    EXPECT_EQ(exit_code, kConfigExitCode) << log;
    EXPECT_NE(log.find("failed at start-up because of its configuration"), std::string::npos)
        << log;
    EXPECT_EQ(log.find("restarting in"), std::string::npos) << log;
}

TEST(WorkerProcesses, StaleGenerationsRemoved) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    std::string working_directory = makeTemporaryDirectory();
    fs::path generations = fs::path(working_directory) / "var" / "generations";
    pid_t absent = 999999;
    while (::kill(absent, 0) == 0 || errno == EPERM) {
        --absent;
    }
    fs::path stale = generations / ("gen-" + std::to_string(absent) + "-1");
    fs::create_directories(stale);
    writeBytes(stale / "000-hello.so", "stale copy");
    auto options = optionsFor(directory);
    options.working_directory = working_directory;

    auto server = ServerProcess::start(options);
    bool stale_exists_while_running = fs::exists(stale);
    bool own_exists_while_running =
        fs::exists(generations / ("gen-" + std::to_string(server->pid()) + "-1"));
    std::optional<int> exit_code = server->stop();
    std::string left;
    for (const auto& entry : fs::directory_iterator(generations)) {
        left += entry.path().filename().string() + " ";
    }

    EXPECT_FALSE(stale_exists_while_running);
    EXPECT_TRUE(own_exists_while_running) << server->log();
    EXPECT_NE(server->log().find("removed stale plugin generations count=1"), std::string::npos)
        << server->log();
    EXPECT_EQ(exit_code, std::optional<int>(0));
    EXPECT_EQ(left, "");
}

}  // namespace
}  // namespace valhalla::test
