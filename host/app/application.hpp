#pragma once

#include <string>
#include <utility>
#include <vector>

#include <Poco/Util/ServerApplication.h>

namespace valhalla::host::app {

/// The `valhalla` executable: reads settings, starts the worker, and waits for
/// SIGTERM or SIGINT to stop it gracefully.
class Application : public Poco::Util::ServerApplication {
public:
    Application();

protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& arguments) override;

private:
    void printHelp() const;
    void handleDefine(const std::string& value);

    bool help_requested_ = false;
    std::string config_file_;
    std::vector<std::pair<std::string, std::string>> defines_;
    std::string start_directory_;
    std::string define_error_;
};

}  // namespace valhalla::host::app
