#include "app/application.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <variant>

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>

#include "config/settings.hpp"
#include "logging/logging.hpp"
#include "logging/reopenable_file_sink.hpp"
#include "process/startup_error.hpp"
#include "process/supervisor.hpp"
#include "process/worker.hpp"
#include "process/worker_process.hpp"
#include "tls/certificate_check.hpp"
#include <signal.h>
#include <unistd.h>

extern char** environ;

namespace valhalla::host::app {

namespace {

std::map<std::string, std::string> processEnvironment() {
    std::map<std::string, std::string> environment;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string text(*entry);
        std::size_t equals = text.find('=');
        if (equals != std::string::npos) {
            environment.emplace(text.substr(0, equals), text.substr(equals + 1));
        }
    }
    return environment;
}

// Writes a whole line to the readiness pipe; the supervisor keeps reading it, so
// a blocking write finishes.
void writeReportLine(const std::string& line) {
    std::size_t offset = 0;
    while (offset < line.size()) {
        ssize_t written =
            ::write(process::kWorkerReadyFd, line.data() + offset, line.size() - offset);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return;
        }
        offset += static_cast<std::size_t>(written);
    }
}

// Splits a --define value into key and value, or returns the error message.
std::variant<std::pair<std::string, std::string>, std::string> parseDefine(
    const std::string& value) {
    std::size_t equals = value.find('=');
    if (equals == std::string::npos || equals == 0) {
        return "invalid --define '" + value +
               "': expected KEY=VALUE, such as --define server.port=8080";
    }
    return std::pair(value.substr(0, equals), value.substr(equals + 1));
}

std::string executableDirectory() {
    std::error_code error;
    auto path = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::string(".") : path.parent_path().string();
}

config::Settings loadSettingsFrom(const std::string& config_file,
                                  const std::vector<std::pair<std::string, std::string>>& defines,
                                  const std::string& start_directory) {
    config::SettingsSources sources;
    sources.config_file = config_file;
    sources.env_file = (std::filesystem::path(start_directory) / ".env").string();
    sources.environment = processEnvironment();
    sources.defines = defines;
    sources.start_directory = start_directory;
    sources.executable_directory = executableDirectory();
    return config::loadSettings(sources);
}

// Checks the HTTPS certificate and key before any worker starts and logs whether the
// server serves HTTP or HTTPS. Returns false after logging why the files are unusable.
bool checkTls(const config::Settings& settings) {
    auto log = logging::get("supervisor");
    std::optional<tls::CertificateSummary> certificate;
    try {
        certificate = tls::checkCertificateFiles(settings);
    } catch (const tls::CertificateError& error) {
        log->critical("cannot serve HTTPS: {}", error.what());
        return false;
    }
    if (!certificate) {
        log->info(
            "serving plain HTTP; set SSL_CERT_PATH and SSL_KEY_PATH (server.tls.*) for HTTPS");
        return true;
    }
    log->info("serving HTTPS certificate={} key={} subject=\"{}\" serial={} not_after=\"{}\"",
              settings.tls_certificate,
              settings.tls_key,
              certificate->subject,
              certificate->serial,
              certificate->not_after);
    if (certificate->outside_validity) {
        log->warn(
            "the HTTPS certificate is outside its validity period, so clients reject it "
            "certificate={} not_after=\"{}\"; replace it and reload with SIGHUP",
            settings.tls_certificate,
            certificate->not_after);
    }
    return true;
}

}  // namespace

Application::Application() : start_directory_(std::filesystem::current_path().string()) {
    setUnixOptions(true);
}

void Application::defineOptions(Poco::Util::OptionSet& options) {
    ServerApplication::defineOptions(options);
    options.addOption(
        Poco::Util::Option("help", "h", "Print this help, with every setting, and exit."));
    options.addOption(Poco::Util::Option("config-file",
                                         "c",
                                         "Read settings from FILE (.properties, .ini or .xml).")
                          .argument("FILE")
                          .repeatable(false));
    options.addOption(
        Poco::Util::Option(
            "define", "D", "Set a setting, overriding every other source; repeatable.")
            .argument("KEY=VALUE")
            .repeatable(true));
    options.addOption(
        Poco::Util::Option(
            "worker-generation", "", "Internal: run as a worker on the plugin generation in DIR.")
            .argument("DIR")
            .repeatable(false));
    options.addOption(Poco::Util::Option(
        "worker-strict", "", "Internal: make the worker fail when any plugin fails to load."));
    options.addOption(Poco::Util::Option("worker-start-directory",
                                         "",
                                         "Internal: resolve .env and relative paths against DIR.")
                          .argument("DIR")
                          .repeatable(false));
    options.addOption(
        Poco::Util::Option(
            "worker-slot", "", "Internal: the worker's counter slot N in the shared region.")
            .argument("N")
            .repeatable(false));
}

std::optional<Application::StartupProblem> Application::checkBeforeRun(int argc, char** argv) {
    Poco::Util::OptionSet options;
    defineOptions(options);
    Poco::Util::OptionProcessor processor(options);
    processor.setUnixStyle(true);
    bool daemon = false;
    std::string config_file;
    std::vector<std::pair<std::string, std::string>> defines;
    try {
        for (int index = 1; index < argc; ++index) {
            std::string name;
            std::string value;
            if (!processor.process(argv[index], name, value)) {
                return usageProblem("unexpected argument '" + std::string(argv[index]) + "'");
            }
            // handleOption() stops the parsing at --help, so later arguments do not matter.
            if (name == "help") {
                return std::nullopt;
            }
            daemon = daemon || name == "daemon";
            if (auto problem = checkDaemonOption(name, value)) {
                return problem;
            }
            if (name == "config-file") {
                config_file = value;
            } else if (name == "define") {
                auto define = parseDefine(value);
                if (auto* error = std::get_if<std::string>(&define)) {
                    return usageProblem(*error);
                }
                defines.push_back(std::get<0>(define));
            }
        }
        processor.checkRequired();
    } catch (const Poco::Util::OptionException& error) {
        return usageProblem(error.displayText());
    }
    // Without --daemon, main() reports settings errors on the terminal itself.
    if (daemon) {
        try {
            auto settings = loadSettingsFrom(config_file, defines, start_directory_);
            if (!settings.log_file.empty()) {
                // Opens the file the way the daemon's log will, and closes it again.
                logging::ReopenableFileSink probe(settings.log_file);
            }
        } catch (const std::exception& error) {
            return StartupProblem{error.what(), EXIT_CONFIG};
        }
    }
    return std::nullopt;
}

// Checks the values of the options that Poco's ServerApplication applies itself, in
// the detached child when --daemon is given.
std::optional<Application::StartupProblem> Application::checkDaemonOption(
    const std::string& name, const std::string& value) {
    if (name == "umask") {
        bool octal = !value.empty() && value.size() <= 4 &&
                     value.find_first_not_of("01234567") == std::string::npos &&
                     std::stoi(value, nullptr, 8) <= 0777;
        if (!octal) {
            return usageProblem("invalid --umask '" + value +
                                "': expected an octal mode from 0 to 0777, such as 027");
        }
    } else if (name == "pidfile") {
        auto folder = std::filesystem::path(value).parent_path();
        std::string checked = folder.empty() ? std::string(".") : folder.string();
        if (::access(checked.c_str(), W_OK) != 0) {
            return StartupProblem{"cannot write the pid file " + value + ": folder " + checked +
                                      ": " + std::strerror(errno) +
                                      "; create the folder or choose another --pidfile",
                                  EXIT_CONFIG};
        }
    }
    return std::nullopt;
}

Application::StartupProblem Application::usageProblem(const std::string& message) {
    return {message + "; run valhalla --help for the options", EXIT_USAGE};
}

void Application::handleOption(const std::string& name, const std::string& value) {
    ServerApplication::handleOption(name, value);
    if (name == "help") {
        help_requested_ = true;
        stopOptionsProcessing();
    } else if (name == "config-file") {
        config_file_ = value;
    } else if (name == "define") {
        handleDefine(value);
    } else if (name == "worker-generation") {
        worker_generation_ = value;
    } else if (name == "worker-strict") {
        worker_strict_ = true;
    } else if (name == "worker-start-directory") {
        start_directory_ = value;
    } else if (name == "worker-slot") {
        worker_slot_ = value;
    }
}

void Application::handleDefine(const std::string& value) {
    auto define = parseDefine(value);
    if (auto* error = std::get_if<std::string>(&define)) {
        define_error_ = *error;
        return;
    }
    defines_.push_back(std::get<0>(define));
}

void Application::printHelp() const {
    Poco::Util::HelpFormatter formatter(options());
    formatter.setCommand(commandName());
    formatter.setUsage("[OPTIONS]");
    formatter.setHeader(
        "valhalla serves HTTP routes from plugin .so files. Settings come from built-in defaults, "
        "the configuration file, .env, the environment and --define, in rising precedence.");
    formatter.format(std::cout);
    std::cout << "\n" << config::settingsHelp() << std::flush;
}

int Application::main(const std::vector<std::string>& arguments) {
    if (help_requested_) {
        printHelp();
        return EXIT_OK;
    }
    if (!define_error_.empty() || !arguments.empty()) {
        std::cerr << "valhalla: "
                  << (define_error_.empty() ? "unexpected argument '" + arguments.front() + "'"
                                            : define_error_)
                  << "; run valhalla --help for the options\n";
        return EXIT_USAGE;
    }

    config::Settings settings;
    try {
        settings = loadSettings();
    } catch (const config::SettingsError& error) {
        std::cerr << "valhalla: " << error.what() << "\n";
        return EXIT_CONFIG;
    }
    try {
        logging::configure(settings.log_level, settings.log_format, settings.log_file);
    } catch (const std::exception& error) {
        std::cerr << "valhalla: " << error.what() << "\n";
        return EXIT_CONFIG;
    }
    return worker_generation_.empty() ? runSupervisor(settings) : runWorker(settings);
}

config::Settings Application::loadSettings() const {
    return loadSettingsFrom(config_file_, defines_, start_directory_);
}

int Application::runSupervisor(const config::Settings& settings) {
    auto log = logging::get("supervisor");
    log->info("valhalla starting version={} workers={}", VALHALLA_VERSION, settings.workers);
    for (const auto& line : config::describeSettings(settings)) {
        log->debug("setting {}", line);
    }
    if (!checkTls(settings)) {
        return EXIT_CONFIG;
    }
    process::Supervisor supervisor(
        settings, [this] { return loadSettings(); }, "/proc/self/exe", workerCommand());
    return supervisor.run();
}

int Application::runWorker(const config::Settings& settings) {
    auto log = logging::get("server");
    process::WorkerOptions options;
    options.listen_fd = process::kWorkerListenFd;
    options.generation_directory = worker_generation_;
    options.strict = worker_strict_;
    options.region_fd = process::kWorkerRegionFd;
    try {
        options.region_slot = std::stoi(worker_slot_);
    } catch (const std::exception&) {
        log->critical("invalid --worker-slot '{}': expected a slot number", worker_slot_);
        return EXIT_USAGE;
    }
    // The supervisor reads these lines, so a worker that crashes inside a plugin's
    // code is reported with the plugin file it was loading, and every worker can
    // show the load results of the whole server.
    options.on_plugin_loading = [](const std::string& path) { writeReportLine("L" + path + "\n"); };
    options.on_plugins_loaded = [](const std::string& report) {
        writeReportLine("P" + report + "\n");
    };
    process::Worker worker(settings, options);
    try {
        worker.start();
    } catch (const process::StartupError& error) {
        log->critical("worker start-up failed: {}", error.what());
        return EXIT_CONFIG;
    } catch (const tls::CertificateError& error) {
        log->critical("worker start-up failed: {}", error.what());
        return EXIT_CONFIG;
    }
    [[maybe_unused]] auto written = ::write(process::kWorkerReadyFd, "R", 1);
    ::close(process::kWorkerReadyFd);

    waitForStop();
    log->info("worker stopping; finishing requests already received");
    worker.stop();
    log->info("worker stopped");
    return EXIT_OK;
}

// Waits for SIGTERM, SIGINT or SIGQUIT, which main() blocked in every thread, and
// reopens the log file on each SIGUSR1 meanwhile.
void Application::waitForStop() {
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGTERM, SIGINT, SIGQUIT, SIGUSR1}) {
        sigaddset(&signals, signal);
    }
    int received = 0;
    while (sigwait(&signals, &received) == 0 && received == SIGUSR1) {
        logging::reopen();
    }
}

// The worker gets the same settings sources but none of the daemon options, which
// belong to the supervisor. A daemon runs in /, so the worker learns the folder the
// supervisor was started from, against which .env and relative paths resolve.
std::vector<std::string> Application::workerCommand() const {
    std::vector<std::string> command = {"valhalla", "--worker-start-directory=" + start_directory_};
    if (!config_file_.empty()) {
        command.push_back("--config-file=" + config_file_);
    }
    for (const auto& [key, value] : defines_) {
        command.push_back("--define=" + key + "=" + value);
    }
    return command;
}

}  // namespace valhalla::host::app
