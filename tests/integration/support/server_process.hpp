#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace valhalla::test {

/// How to start the real valhalla binary for one test.
struct ServerOptions {
    /// Extra environment variables. The server gets only PATH, HOME and LANG (plus any
    /// ASAN_/UBSAN_/LSAN_/TSAN_OPTIONS) of the test process, and these defaults:
    /// FLASK_HOST=127.0.0.1, FLASK_PORT a free port, PLUGIN_DIR the built bundled
    /// plugins, SQLITE_PATH `var/valhalla.db` in `working_directory` and LOG_LEVEL=debug.
    /// A value given here replaces the default of the same name.
    std::map<std::string, std::string> environment;
    /// Extra command-line arguments, such as `--define=key=value`.
    std::vector<std::string> arguments;
    /// Working folder of the process; a fresh temporary folder when empty.
    std::string working_directory;
    /// How long `start` waits for `GET /healthz` to return 200.
    std::chrono::milliseconds ready_timeout{15000};
    /// Whether the server serves HTTPS, so `start` probes `/healthz` over TLS.
    bool https = false;
    /// Whether the server starts with stdin closed instead of reading /dev/null.
    bool close_stdin = false;
};

/// A valhalla process started by a test. Its stdout and stderr go to a log file.
/// The destructor stops it by pid (SIGTERM, then SIGKILL) if it still runs.
class ServerProcess {
public:
    /// Starts the server and waits until `/healthz` returns 200. Throws std::runtime_error
    /// with the server log when it exits or does not become ready in time.
    static std::unique_ptr<ServerProcess> start(ServerOptions options = {});

    /// Starts the server and waits for it to exit by itself, up to `timeout`, for
    /// tests of start-up failures. Returns the exit code (128 + signal when killed).
    /// Throws std::runtime_error when it is still running at the timeout.
    static int runUntilExit(ServerOptions options,
                            std::chrono::milliseconds timeout,
                            std::string& log);

    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    int port() const { return port_; }

    pid_t pid() const { return pid_; }

    const std::string& workingDirectory() const { return working_directory_; }

    /// Everything the server has written to stdout and stderr so far.
    std::string log() const;

    /// Waits until the log contains `text`; returns whether it appeared in time.
    bool waitForLog(const std::string& text, std::chrono::milliseconds timeout) const;

    /// Sends SIGTERM and waits up to `timeout` for exit. Returns the exit code, or
    /// std::nullopt when the process had to be killed.
    std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    ServerProcess() = default;

    /// Forks and executes the binary; fills every member except the wait status.
    void spawn(const ServerOptions& options);
    /// Polls `/healthz` until it returns 200. Returns an error message with the log
    /// when the process exits first or `timeout` passes, after stopping it.
    std::optional<std::string> waitUntilReady(std::chrono::milliseconds timeout);

    pid_t pid_ = -1;
    int port_ = 0;
    bool https_ = false;
    std::string working_directory_;
    std::string log_path_;
    bool owns_working_directory_ = false;
    /// Wait status once the process has been reaped.
    std::optional<int> wait_status_;
};

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
int freePort();

/// Folder of the built bundled plugins (`build/plugins`).
std::string bundledPluginDirectory();

/// Path of a test-only plugin built from tests/integration/plugins, by file name
/// without `.so`, such as `throwing`.
std::string testPluginPath(const std::string& name);

/// Creates an empty temporary folder under TMPDIR (default /tmp) and returns its path.
/// The folder and its contents are removed when this process exits normally; a child
/// forked from it removes nothing.
std::string makeTemporaryDirectory();

/// Copies the bundled plugins named in `names` (file names without `.so`) and the
/// test plugins in `test_plugins` into `directory`.
void populatePluginDirectory(const std::string& directory,
                             const std::vector<std::string>& names,
                             const std::vector<std::string>& test_plugins = {});

/// Result of a program that `runProgram` ran to completion.
struct ProgramResult {
    /// Status as returned by waitpid.
    int wait_status = 0;
    /// Everything the program wrote to stdout and stderr.
    std::string output;

    /// Whether the program exited with code 0.
    bool succeeded() const;
};

/// Returns the environment a child starts with: PATH, HOME and LANG of this process,
/// plus the sanitizer option variables, each only when set.
std::vector<std::string> baseEnvironment();

/// Starts `arguments[0]` (looked up in PATH when it contains no slash) as a child in
/// its own process group, with `environment` as its whole environment, stdin from
/// /dev/null (or closed when `close_stdin` is set), and stdout and stderr written to
/// `output_path` (truncated first). An empty `working_directory` keeps the current
/// one. The child receives SIGKILL when the thread that called this function exits,
/// so a crashed test leaves no process behind. Throws std::runtime_error when the
/// program or the output file is unusable.
pid_t spawnProcess(const std::vector<std::string>& arguments,
                   const std::vector<std::string>& environment,
                   const std::string& working_directory,
                   const std::string& output_path,
                   bool close_stdin = false);

/// Waits up to `timeout` for the child `pid` to exit, polling every 20 ms. Returns its
/// wait status, or std::nullopt when it still runs.
std::optional<int> waitForExit(pid_t pid, std::chrono::milliseconds timeout);

/// Sends SIGTERM to the child `pid`, waits up to `timeout`, then sends SIGKILL and
/// waits again. Returns the wait status and whether SIGKILL was needed.
std::pair<int, bool> terminateProcess(pid_t pid, std::chrono::milliseconds timeout);

/// Converts a wait status to an exit code, 128 + signal number when it was killed.
int exitCodeOf(int wait_status);

/// Describes a wait status as "exit code N" or "signal N (name)".
std::string describeWaitStatus(int wait_status);

/// Runs a program to completion with `baseEnvironment()` and returns its status and
/// output. Kills it and throws std::runtime_error when it runs longer than `timeout`.
ProgramResult runProgram(const std::vector<std::string>& arguments,
                         std::chrono::milliseconds timeout);

/// Reads a whole file, or returns an empty string when it cannot be opened.
std::string readFile(const std::string& path);

}  // namespace valhalla::test
