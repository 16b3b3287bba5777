#pragma once

#include <Poco/Channel.h>
#include <Poco/Message.h>

namespace valhalla::host::app {

/// A Poco channel for the messages that Poco's application logs before valhalla sets
/// up its logging: command-line errors such as an unknown option or a missing value.
/// It writes each one to stderr as "valhalla: MESSAGE; run valhalla --help for the
/// options".
class StartupChannel : public Poco::Channel {
public:
    void log(const Poco::Message& message) override;
};

/// Sends the messages of Poco's "ApplicationStartup" logger to a StartupChannel.
void useStartupChannel();

/// Returns true once a StartupChannel has written a command-line error.
bool commandLineErrorLogged();

}  // namespace valhalla::host::app
