#include "app/startup_channel.hpp"

#include <atomic>
#include <iostream>

#include <Poco/Logger.h>

namespace valhalla::host::app {

namespace {

std::atomic<bool> error_logged{false};

}  // namespace

void StartupChannel::log(const Poco::Message& message) {
    error_logged = true;
    std::cerr << "valhalla: " << message.getText() << "; run valhalla --help for the options"
              << std::endl;
}

void useStartupChannel() {
    // Poco::Util::ServerApplication logs the errors of its command-line parsing to this
    // logger and then returns 78 from run().
    Poco::Channel::Ptr channel(new StartupChannel);
    Poco::Logger::get("ApplicationStartup").setChannel(channel);
}

bool commandLineErrorLogged() {
    return error_logged;
}

}  // namespace valhalla::host::app
