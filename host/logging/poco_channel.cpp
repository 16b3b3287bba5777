#include "logging/poco_channel.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/Logger.h>

#include "logging/logging.hpp"

namespace valhalla::host::logging {

namespace {

spdlog::level::level_enum levelOf(Poco::Message::Priority priority) {
    switch (priority) {
        case Poco::Message::PRIO_FATAL:
        case Poco::Message::PRIO_CRITICAL:
            return spdlog::level::critical;
        case Poco::Message::PRIO_ERROR:
            return spdlog::level::err;
        case Poco::Message::PRIO_WARNING:
            return spdlog::level::warn;
        case Poco::Message::PRIO_NOTICE:
        case Poco::Message::PRIO_INFORMATION:
            return spdlog::level::info;
        case Poco::Message::PRIO_DEBUG:
            return spdlog::level::debug;
        case Poco::Message::PRIO_TRACE:
            return spdlog::level::trace;
    }
    return spdlog::level::info;
}

}  // namespace

void SpdlogChannel::log(const Poco::Message& message) {
    static auto logger = get("poco");
    logger->log(
        levelOf(message.getPriority()), "{} source={}", message.getText(), message.getSource());
}

void routePocoLogging() {
    Poco::AutoPtr<SpdlogChannel> channel(new SpdlogChannel);
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::setChannel("", channel);
    Poco::Logger::root().setLevel(Poco::Message::PRIO_INFORMATION);
}

}  // namespace valhalla::host::logging
