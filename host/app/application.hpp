#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Util/ServerApplication.h>

#include "config/settings.hpp"

namespace valhalla::host::app {

/// The `valhalla` executable. Started by a user it is the supervisor; started by the
/// supervisor with `--worker-generation` it is a worker process.
class Application : public Poco::Util::ServerApplication {
public:
    Application();

    /// An error found before run(): the message and the exit status.
    struct StartupProblem {
        std::string message;
        int status;
    };

    /// Parses the command line as run() will and, with --daemon, loads the settings.
    /// Returns the first error, such as an unknown option or an invalid setting. Called
    /// before run(), it reports errors that would otherwise go to /dev/null once
    /// Poco's --daemon has detached from the terminal.
    std::optional<StartupProblem> checkBeforeRun(int argc, char** argv);

protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& arguments) override;

private:
    static StartupProblem usageProblem(const std::string& message);
    static std::optional<StartupProblem> checkDaemonOption(const std::string& name,
                                                           const std::string& value);
    void printHelp() const;
    void handleDefine(const std::string& value);
    config::Settings loadSettings() const;
    int runWorker(const config::Settings& settings);
    int runSupervisor(const config::Settings& settings);
    std::vector<std::string> workerCommand() const;
    static void waitForStop();

    bool help_requested_ = false;
    std::string config_file_;
    std::vector<std::pair<std::string, std::string>> defines_;
    std::string start_directory_;
    std::string define_error_;
    std::string worker_generation_;
    bool worker_strict_ = false;
    std::string worker_slot_ = "0";
};

}  // namespace valhalla::host::app
