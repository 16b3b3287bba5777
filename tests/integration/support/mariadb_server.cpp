#include "support/mariadb_server.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/server_process.hpp"
#include <signal.h>
#include <unistd.h>

namespace valhalla::test {

namespace {

namespace fs = std::filesystem;

using Milliseconds = std::chrono::milliseconds;

constexpr Milliseconds kInstallTimeout{120000};
constexpr Milliseconds kClientTimeout{30000};
constexpr Milliseconds kReadyTimeout{30000};
constexpr Milliseconds kStopTimeout{60000};
constexpr Milliseconds kPingInterval{50};
constexpr const char* kServerBinary = "/usr/sbin/mariadbd";

std::string environmentOr(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

// mariadbd refuses to run as root without --user=root. As another user,
// mariadb-install-db fails with it because it cannot chown the data folder to root.
std::vector<std::string> userOption() {
    if (::geteuid() == 0) {
        return {"--user=root"};
    }
    return {};
}

std::string checkedOutput(const ProgramResult& result, const std::string& operation) {
    if (!result.succeeded()) {
        throw std::runtime_error(operation + " failed with " +
                                 describeWaitStatus(result.wait_status) + ":\n" + result.output);
    }
    return result.output;
}

}  // namespace

SharedMariaDb SharedMariaDb::fromEnvironment() {
    SharedMariaDb database;
    database.host = environmentOr("VALHALLA_TEST_MYSQL_HOST", "127.0.0.1");
    std::string port = environmentOr("VALHALLA_TEST_MYSQL_PORT", "");
    if (!port.empty()) {
        database.port = std::stoi(port);
    }
    database.user = environmentOr("VALHALLA_TEST_MYSQL_USER", "");
    database.password = environmentOr("VALHALLA_TEST_MYSQL_PASSWORD", "");
    database.database = environmentOr("VALHALLA_TEST_MYSQL_DATABASE", "");
    return database;
}

std::map<std::string, std::string> SharedMariaDb::serverEnvironment(
    const std::string& database) const {
    return {{"MYSQL_HOST", host},
            {"MYSQL_PORT", std::to_string(port)},
            {"MYSQL_USER", user},
            {"MYSQL_PASSWORD", password},
            {"MYSQL_DATABASE", database}};
}

std::string SharedMariaDb::createDatabase() const {
    if (!available()) {
        throw std::runtime_error(
            "VALHALLA_TEST_MYSQL_PORT is not set: run the MySQL tests through tests/run.sh, "
            "which starts a private MariaDB and sets VALHALLA_TEST_MYSQL_*");
    }
    static std::atomic<int> counter{0};
    std::string name = "valhalla_test_" + std::to_string(::getpid()) + "_" +
                       std::to_string(counter.fetch_add(1) + 1);

    // --password= with the value attached never prompts, even for an empty password.
    // A database left over by an earlier process with the same pid is replaced.
    std::string sql = "DROP DATABASE IF EXISTS `" + name + "`; CREATE DATABASE `" + name +
                      "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
    ProgramResult result = runProgram({"mariadb",
                                       "--no-defaults",
                                       "--protocol=TCP",
                                       "-h" + host,
                                       "-P" + std::to_string(port),
                                       "-u" + user,
                                       "--password=" + password,
                                       "-e",
                                       sql},
                                      kClientTimeout);
    checkedOutput(result, "creating database " + name + " on " + host + ":" + std::to_string(port));
    return name;
}

PrivateMariaDb::PrivateMariaDb() : root_directory_(makeTemporaryDirectory()) {
    data_directory_ = root_directory_ + "/data";
    port_ = freePort();
    // A Unix socket path has at most 107 characters (sun_path is 108 bytes with the NUL).
    if (socketPath().size() > 107) {
        fs::remove_all(root_directory_);
        throw std::runtime_error("socket path " + socketPath() +
                                 " is longer than 107 characters; set TMPDIR to a shorter folder");
    }

    // Each server gets its own temporary folder: the bootstrap creates and
    // deletes temporary tables there, and a shared /tmp lets other
    // processes on the machine interfere with it.
    fs::create_directories(temporaryDirectory());
    std::vector<std::string> install = {"mariadb-install-db",
                                        "--no-defaults",
                                        "--datadir=" + data_directory_,
                                        "--tmpdir=" + temporaryDirectory(),
                                        "--auth-root-authentication-method=normal",
                                        "--skip-test-db"};
    for (const auto& option : userOption()) {
        install.push_back(option);
    }
    try {
        checkedOutput(runProgram(install, kInstallTimeout), "mariadb-install-db");
    } catch (...) {
        fs::remove_all(root_directory_);
        throw;
    }
}

PrivateMariaDb::~PrivateMariaDb() {
    stop();
    std::error_code ignored;
    fs::remove_all(root_directory_, ignored);
}

void PrivateMariaDb::start() {
    if (pid_ > 0) {
        throw std::logic_error("PrivateMariaDb::start: the server already runs as pid " +
                               std::to_string(pid_));
    }
    std::vector<std::string> arguments = {kServerBinary,
                                          "--no-defaults",
                                          "--datadir=" + data_directory_,
                                          "--tmpdir=" + temporaryDirectory(),
                                          "--socket=" + socketPath(),
                                          "--pid-file=" + data_directory_ + "/mysqld.pid",
                                          "--port=" + std::to_string(port_),
                                          "--bind-address=127.0.0.1",
                                          "--log-error=" + data_directory_ + "/error.log",
                                          "--skip-name-resolve"};
    for (const auto& option : userOption()) {
        arguments.push_back(option);
    }
    pid_ = spawnProcess(arguments, baseEnvironment(), "", root_directory_ + "/mariadbd.out");

    const std::vector<std::string> ping = {
        "mariadb-admin", "--no-defaults", "--socket=" + socketPath(), "-uroot", "ping"};
    const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto status = waitForExit(pid_, Milliseconds(0))) {
            pid_ = -1;
            throw std::runtime_error("mariadbd exited during start-up with " +
                                     describeWaitStatus(*status) + "; error log:\n" +
                                     readFile(data_directory_ + "/error.log") +
                                     readFile(root_directory_ + "/mariadbd.out"));
        }
        if (runProgram(ping, kClientTimeout).succeeded()) {
            return;
        }
        std::this_thread::sleep_for(kPingInterval);
    }
    terminateProcess(pid_, Milliseconds(0));
    pid_ = -1;
    throw std::runtime_error("mariadbd on port " + std::to_string(port_) +
                             " did not answer a ping within " +
                             std::to_string(kReadyTimeout.count()) + " ms; error log:\n" +
                             readFile(data_directory_ + "/error.log"));
}

void PrivateMariaDb::stop() {
    if (pid_ <= 0) {
        return;
    }
    terminateProcess(pid_, kStopTimeout);
    pid_ = -1;
}

void PrivateMariaDb::execute(const std::string& sql) const {
    runClient({}, sql);
}

std::string PrivateMariaDb::query(const std::string& sql) const {
    return runClient({"--batch", "--skip-column-names"}, sql);
}

std::string PrivateMariaDb::runClient(const std::vector<std::string>& options,
                                      const std::string& sql) const {
    std::vector<std::string> arguments = {
        "mariadb", "--no-defaults", "--socket=" + socketPath(), "-uroot"};
    arguments.insert(arguments.end(), options.begin(), options.end());
    arguments.push_back("-e");
    arguments.push_back(sql);
    return checkedOutput(runProgram(arguments, kClientTimeout),
                         "mariadb client running '" + sql + "'");
}

}  // namespace valhalla::test
