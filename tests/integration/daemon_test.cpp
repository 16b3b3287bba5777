#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include <signal.h>
#include <unistd.h>

namespace valhalla::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string readFile(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Reads the pid from `path` once the file contains one, waiting up to `timeout`.
std::optional<pid_t> waitForPidFile(const fs::path& path, std::chrono::milliseconds timeout) {
    for (auto deadline = Clock::now() + timeout; Clock::now() < deadline;
         std::this_thread::sleep_for(20ms)) {
        std::string text = readFile(path);
        if (!text.empty() && text.back() == '\n') {
            return static_cast<pid_t>(std::stol(text));
        }
    }
    return std::nullopt;
}

/// Returns whether `pid` is gone or a zombie; a daemon is no child of the test, so
/// waitpid cannot reap it.
bool processGone(pid_t pid) {
    std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
    auto state_at = stat.rfind(')');
    return stat.empty() || (state_at != std::string::npos && state_at + 2 < stat.size() &&
                            stat[state_at + 2] == 'Z');
}

bool waitUntilGone(pid_t pid, std::chrono::milliseconds timeout) {
    for (auto deadline = Clock::now() + timeout; Clock::now() < deadline;
         std::this_thread::sleep_for(20ms)) {
        if (processGone(pid)) {
            return true;
        }
    }
    return false;
}

/// Kills the daemon by pid if a failed assertion left it running.
struct DaemonGuard {
    pid_t pid = -1;

    ~DaemonGuard() {
        if (pid > 0 && !processGone(pid)) {
            ::kill(pid, SIGKILL);
        }
    }
};

bool waitForHello(int port, std::chrono::milliseconds timeout) {
    for (auto deadline = Clock::now() + timeout; Clock::now() < deadline;
         std::this_thread::sleep_for(50ms)) {
        try {
            if (httpRequest(port, "GET", "/hello", "", {}, 1s).status == 200) {
                return true;
            }
        } catch (const std::exception&) {
        }
    }
    return false;
}

TEST(Daemon, ServesAndStopsByPidFile) {
    fs::path directory = makeTemporaryDirectory();
    fs::path pid_file = directory / "valhalla.pid";
    int port = freePort();
    auto environment = baseEnvironment();
    environment.push_back("FLASK_HOST=127.0.0.1");
    environment.push_back("FLASK_PORT=" + std::to_string(port));
    environment.push_back("PLUGIN_DIR=" + bundledPluginDirectory());
    // Relative paths resolve against the start folder, although a daemon runs in /.
    environment.push_back("SQLITE_PATH=var/valhalla.db");
    environment.push_back("LOG_FILE=valhalla.log");
    std::string binary = fs::read_symlink("/proc/self/exe").parent_path() / "valhalla";

    pid_t launcher = spawnProcess({binary, "--daemon", "--pidfile=" + pid_file.string()},
                                  environment,
                                  directory,
                                  directory / "launcher.out");
    auto launcher_status = waitForExit(launcher, 10s);
    auto daemon = waitForPidFile(pid_file, 10s);
    DaemonGuard guard{daemon.value_or(-1)};

    ASSERT_TRUE(launcher_status.has_value()) << "the launching process did not return";
    EXPECT_EQ(exitCodeOf(*launcher_status), 0) << readFile(directory / "launcher.out");
    ASSERT_TRUE(daemon.has_value()) << readFile(directory / "launcher.out");
    EXPECT_NE(*daemon, launcher);
    ASSERT_TRUE(waitForHello(port, 15s)) << readFile(directory / "valhalla.log");
    EXPECT_EQ(fs::read_symlink("/proc/" + std::to_string(*daemon) + "/cwd"), fs::path("/"));
    EXPECT_TRUE(fs::exists(directory / "var" / "valhalla.db"));

    ASSERT_EQ(::kill(*daemon, SIGTERM), 0);
    ASSERT_TRUE(waitUntilGone(*daemon, 15s)) << readFile(directory / "valhalla.log");
    EXPECT_FALSE(fs::exists(pid_file));
    EXPECT_NE(readFile(directory / "valhalla.log").find("supervisor stopped"), std::string::npos)
        << readFile(directory / "valhalla.log");
}

}  // namespace
}  // namespace valhalla::test
