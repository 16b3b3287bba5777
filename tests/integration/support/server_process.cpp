#include "support/server_process.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <Poco/Exception.h>

#include "support/http_client.hpp"
#include "support/tls_client.hpp"
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace valhalla::test {

namespace {

namespace fs = std::filesystem;

using Milliseconds = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr Milliseconds kPollInterval{20};
constexpr Milliseconds kStopTimeout{10000};
constexpr Milliseconds kProbeTimeout{1000};
constexpr int kStartAttempts = 3;

std::string errnoText(const std::string& operation) {
    return operation + ": " + std::strerror(errno);
}

// Removes the folders made by makeTemporaryDirectory at normal exit, because tests
// that pass one as a working folder would otherwise leave it behind.
class TemporaryDirectoryRegistry {
public:
    static TemporaryDirectoryRegistry& instance() {
        static TemporaryDirectoryRegistry registry;
        return registry;
    }

    void add(const std::string& path) {
        std::lock_guard<std::mutex> lock(mutex_);
        paths_.push_back(path);
    }

    ~TemporaryDirectoryRegistry() {
        // A forked child that calls exit() runs this too, but its parent still uses the folders.
        if (::getpid() != owner_) {
            return;
        }
        for (const auto& path : paths_) {
            std::error_code ignored;
            fs::remove_all(path, ignored);
        }
    }

private:
    TemporaryDirectoryRegistry() = default;

    const pid_t owner_ = ::getpid();
    std::mutex mutex_;
    std::vector<std::string> paths_;
};

std::string temporaryBase() {
    const char* base = std::getenv("TMPDIR");
    return base != nullptr && *base != '\0' ? base : "/tmp";
}

// Looks a program up in PATH the way execvp would, so the child can use execve, which
// is async-signal-safe.
std::string resolveProgram(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        return name;
    }
    const char* path = std::getenv("PATH");
    std::istringstream folders(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
    std::string folder;
    while (std::getline(folders, folder, ':')) {
        fs::path candidate = fs::path(folder.empty() ? "." : folder) / name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
    }
    throw std::runtime_error("program '" + name + "' was not found in PATH");
}

std::vector<char*> toArgv(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (auto& text : strings) {
        pointers.push_back(text.data());
    }
    pointers.push_back(nullptr);
    return pointers;
}

bool isPortNumber(const std::string& text) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    int value = std::stoi(text);
    return value > 0 && value < 65536;
}

std::string environmentValue(const std::vector<std::string>& environment, const std::string& name) {
    std::string prefix = name + "=";
    std::string value;
    for (const auto& entry : environment) {
        if (entry.rfind(prefix, 0) == 0) {
            value = entry.substr(prefix.size());
        }
    }
    return value;
}

}  // namespace

bool ProgramResult::succeeded() const {
    return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
}

std::vector<std::string> baseEnvironment() {
    std::vector<std::string> environment;
    for (const char* name : {"PATH",
                             "HOME",
                             "LANG",
                             "ASAN_OPTIONS",
                             "UBSAN_OPTIONS",
                             "LSAN_OPTIONS",
                             "TSAN_OPTIONS"}) {
        if (const char* value = std::getenv(name)) {
            environment.push_back(std::string(name) + "=" + value);
        }
    }
    return environment;
}

pid_t spawnProcess(const std::vector<std::string>& arguments,
                   const std::vector<std::string>& environment,
                   const std::string& working_directory,
                   const std::string& output_path,
                   bool close_stdin) {
    if (arguments.empty()) {
        throw std::invalid_argument("spawnProcess needs at least the program name");
    }
    std::vector<std::string> argument_copy = arguments;
    argument_copy[0] = resolveProgram(arguments[0]);
    std::vector<std::string> environment_copy = environment;
    std::vector<char*> argv = toArgv(argument_copy);
    std::vector<char*> envp = toArgv(environment_copy);
    const std::string exec_failure = "failed to execute " + argument_copy[0] + "\n";
    const std::string chdir_failure = "failed to change to folder " + working_directory + "\n";

    int output = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (output < 0) {
        throw std::runtime_error(errnoText("failed to open output file " + output_path));
    }
    int null_input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_input < 0) {
        ::close(output);
        throw std::runtime_error(errnoText("failed to open /dev/null"));
    }

    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child == 0) {
        // Only async-signal-safe calls from here on: the test process may have threads.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(127);
        }
        if (close_stdin) {
            ::close(STDIN_FILENO);
        } else {
            ::dup2(null_input, STDIN_FILENO);
        }
        ::dup2(output, STDOUT_FILENO);
        ::dup2(output, STDERR_FILENO);
        if (!working_directory.empty() && ::chdir(working_directory.c_str()) != 0) {
            ssize_t ignored = ::write(STDERR_FILENO, chdir_failure.data(), chdir_failure.size());
            (void)ignored;
            ::_exit(127);
        }
        ::execve(argv[0], argv.data(), envp.data());
        ssize_t ignored = ::write(STDERR_FILENO, exec_failure.data(), exec_failure.size());
        (void)ignored;
        ::_exit(127);
    }
    int fork_errno = errno;
    if (child > 0) {
        // The child sets its group too. Setting it here as well means the group exists
        // before this function returns, so terminateProcess can always signal it.
        ::setpgid(child, child);
    }
    ::close(output);
    ::close(null_input);
    if (child < 0) {
        errno = fork_errno;
        throw std::runtime_error(errnoText("fork failed for " + arguments[0]));
    }
    return child;
}

std::optional<int> waitForExit(pid_t pid, Milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        int status = 0;
        pid_t result = ::waitpid(pid, &status, WNOHANG);
        if (result == pid) {
            return status;
        }
        if (result < 0 && errno != EINTR) {
            throw std::runtime_error(errnoText("waitpid failed for pid " + std::to_string(pid)));
        }
        if (Clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

std::pair<int, bool> terminateProcess(pid_t pid, Milliseconds timeout) {
    // kill() with 0 or a negative pid signals whole process groups, or every process.
    if (pid <= 0) {
        throw std::invalid_argument("terminateProcess needs a child pid, got " +
                                    std::to_string(pid));
    }
    ::kill(pid, SIGTERM);
    if (auto status = waitForExit(pid, timeout)) {
        return {*status, false};
    }
    // The child leads its own process group (see spawnProcess), so the group id is its
    // pid. Killing the group also ends the processes it forked, such as server workers.
    ::kill(pid, SIGKILL);
    ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return {status, true};
}

int exitCodeOf(int wait_status) {
    if (WIFSIGNALED(wait_status)) {
        return 128 + WTERMSIG(wait_status);
    }
    return WEXITSTATUS(wait_status);
}

std::string describeWaitStatus(int wait_status) {
    if (WIFSIGNALED(wait_status)) {
        int signal_number = WTERMSIG(wait_status);
        const char* name = ::strsignal(signal_number);
        return "signal " + std::to_string(signal_number) + " (" + (name ? name : "unknown") + ")";
    }
    return "exit code " + std::to_string(WEXITSTATUS(wait_status));
}

ProgramResult runProgram(const std::vector<std::string>& arguments, Milliseconds timeout) {
    std::string output_path = temporaryBase() + "/valhalla-program-XXXXXX";
    int descriptor = ::mkstemp(output_path.data());
    if (descriptor < 0) {
        throw std::runtime_error(
            errnoText("failed to create a temporary file from " + output_path));
    }
    ::close(descriptor);

    ProgramResult result;
    try {
        pid_t pid = spawnProcess(arguments, baseEnvironment(), "", output_path);
        std::optional<int> status = waitForExit(pid, timeout);
        if (!status) {
            terminateProcess(pid, Milliseconds(0));
            throw std::runtime_error(arguments[0] + " timed out after " +
                                     std::to_string(timeout.count()) + " ms; output:\n" +
                                     readFile(output_path));
        }
        result.wait_status = *status;
        result.output = readFile(output_path);
    } catch (...) {
        ::unlink(output_path.c_str());
        throw;
    }
    ::unlink(output_path.c_str());
    return result;
}

std::string readFile(const std::string& path) {
    std::ifstream input(path, std::ios::binary);
    std::ostringstream content;
    content << input.rdbuf();
    return content.str();
}

int freePort() {
    int descriptor = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (descriptor < 0) {
        throw std::runtime_error(errnoText("failed to create a socket to find a free port"));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    bool bound = ::bind(descriptor, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                 ::getsockname(descriptor, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    int bind_errno = errno;
    ::close(descriptor);
    if (!bound) {
        errno = bind_errno;
        throw std::runtime_error(errnoText("failed to bind 127.0.0.1:0 to find a free port"));
    }
    return ntohs(address.sin_port);
}

std::string bundledPluginDirectory() {
    return VALHALLA_BUNDLED_PLUGIN_DIR;
}

std::string testPluginPath(const std::string& name) {
    return std::string(VALHALLA_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

std::string makeTemporaryDirectory() {
    std::string pattern = temporaryBase() + "/valhalla-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error(errnoText("failed to create a temporary folder from " + pattern));
    }
    TemporaryDirectoryRegistry::instance().add(pattern);
    return pattern;
}

void populatePluginDirectory(const std::string& directory,
                             const std::vector<std::string>& names,
                             const std::vector<std::string>& test_plugins) {
    std::vector<fs::path> sources;
    for (const auto& name : names) {
        sources.push_back(fs::path(bundledPluginDirectory()) / (name + ".so"));
    }
    for (const auto& name : test_plugins) {
        sources.push_back(testPluginPath(name));
    }

    fs::create_directories(directory);
    for (const auto& source : sources) {
        if (!fs::exists(source)) {
            throw std::runtime_error("plugin " + source.string() +
                                     " does not exist; build the plugin targets first");
        }
        fs::copy_file(
            source, fs::path(directory) / source.filename(), fs::copy_options::overwrite_existing);
    }
}

void ServerProcess::spawn(const ServerOptions& options) {
    const std::string binary = VALHALLA_BINARY;
    if (::access(binary.c_str(), X_OK) != 0) {
        throw std::runtime_error("valhalla binary " + binary +
                                 " is missing; build the valhalla target first");
    }
    https_ = options.https;
    owns_working_directory_ = options.working_directory.empty();
    working_directory_ =
        owns_working_directory_ ? makeTemporaryDirectory() : options.working_directory;
    fs::create_directories(fs::path(working_directory_) / "var");
    log_path_ = working_directory_ + "/valhalla.log";

    std::map<std::string, std::string> settings = {
        {"FLASK_HOST", "127.0.0.1"},
        {"FLASK_PORT", std::to_string(freePort())},
        {"PLUGIN_DIR", bundledPluginDirectory()},
        {"SQLITE_PATH", working_directory_ + "/var/valhalla.db"},
        {"LOG_LEVEL", "debug"},
    };
    for (const auto& [name, value] : options.environment) {
        settings[name] = value;
    }
    std::vector<std::string> environment = baseEnvironment();
    for (const auto& [name, value] : settings) {
        environment.push_back(name + "=" + value);
    }
    const std::string port = environmentValue(environment, "FLASK_PORT");
    port_ = isPortNumber(port) ? std::stoi(port) : 0;

    std::vector<std::string> arguments = {binary};
    arguments.insert(arguments.end(), options.arguments.begin(), options.arguments.end());
    pid_ = spawnProcess(arguments, environment, working_directory_, log_path_, options.close_stdin);
}

std::optional<std::string> ServerProcess::waitUntilReady(Milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string last_error = "no request sent";
    while (true) {
        if (auto status = waitForExit(pid_, Milliseconds(0))) {
            wait_status_ = status;
            return "valhalla exited during start-up with " + describeWaitStatus(*status) +
                   "; log:\n" + log();
        }
        auto remaining = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now());
        if (remaining <= Milliseconds(0)) {
            break;
        }
        try {
            auto probe_timeout = std::min(remaining, kProbeTimeout);
            HttpResponse response =
                https_ ? httpsRequest(port_, "GET", "/healthz", "", {}, probe_timeout)
                       : httpRequest(port_, "GET", "/healthz", "", {}, probe_timeout);
            if (response.status == 200) {
                return std::nullopt;
            }
            last_error = "status " + std::to_string(response.status);
        } catch (const Poco::Exception& error) {
            last_error = error.displayText();
        } catch (const std::exception& error) {
            last_error = error.what();
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    stop(Milliseconds(2000));
    return "valhalla did not return 200 for GET /healthz on port " + std::to_string(port_) +
           " within " + std::to_string(timeout.count()) + " ms (last result: " + last_error +
           "); log:\n" + log();
}

std::unique_ptr<ServerProcess> ServerProcess::start(ServerOptions options) {
    const bool port_is_ours = options.environment.count("FLASK_PORT") == 0;
    for (int attempt = 1;; ++attempt) {
        std::unique_ptr<ServerProcess> server(new ServerProcess());
        server->spawn(options);
        if (server->port_ == 0) {
            throw std::invalid_argument("ServerProcess::start needs a numeric FLASK_PORT");
        }
        std::optional<std::string> failure = server->waitUntilReady(options.ready_timeout);
        if (!failure) {
            return server;
        }
        // Another process can take the free port between freePort() and the server's
        // bind, most likely when tests run in parallel. A new port usually works.
        bool port_taken = failure->find("already in use") != std::string::npos;
        if (!port_is_ours || !port_taken || attempt == kStartAttempts) {
            throw std::runtime_error(*failure);
        }
    }
}

int ServerProcess::runUntilExit(ServerOptions options, Milliseconds timeout, std::string& log) {
    std::unique_ptr<ServerProcess> server(new ServerProcess());
    server->spawn(options);
    server->wait_status_ = waitForExit(server->pid_, timeout);
    if (!server->wait_status_) {
        server->stop(Milliseconds(2000));
        log = server->log();
        throw std::runtime_error("valhalla was still running " + std::to_string(timeout.count()) +
                                 " ms after start, but the test expected it to exit; log:\n" + log);
    }
    log = server->log();
    return exitCodeOf(*server->wait_status_);
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0 && !wait_status_) {
        stop(kStopTimeout);
    }
    if (owns_working_directory_ && !working_directory_.empty()) {
        std::error_code ignored;
        fs::remove_all(working_directory_, ignored);
    }
}

std::string ServerProcess::log() const {
    return readFile(log_path_);
}

bool ServerProcess::waitForLog(const std::string& text, Milliseconds timeout) const {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        if (log().find(text) != std::string::npos) {
            return true;
        }
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
}

std::optional<int> ServerProcess::stop(Milliseconds timeout) {
    if (pid_ <= 0) {
        return std::nullopt;
    }
    if (wait_status_) {
        return exitCodeOf(*wait_status_);
    }
    auto [status, killed] = terminateProcess(pid_, timeout);
    wait_status_ = status;
    if (killed) {
        return std::nullopt;
    }
    return exitCodeOf(status);
}

}  // namespace valhalla::test
