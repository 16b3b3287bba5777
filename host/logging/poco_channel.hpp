#pragma once

#include <Poco/Channel.h>
#include <Poco/Message.h>

namespace valhalla::host::logging {

/// A Poco logging channel that writes every Poco message to the spdlog logger `poco`
/// with its priority mapped to a level, so Poco's own messages get the same format,
/// sink, pid and generation as valhalla's.
class SpdlogChannel : public Poco::Channel {
public:
    void log(const Poco::Message& message) override;
};

/// Routes the messages of every Poco logger, from the root down, to SpdlogChannel.
void routePocoLogging();

}  // namespace valhalla::host::logging
