#pragma once

#include <chrono>
#include <string>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

namespace valhalla::host::process {

/// Formats a time as ISO 8601 in UTC with fractional seconds.
inline std::string iso8601(std::chrono::system_clock::time_point time) {
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
    return Poco::DateTimeFormatter::format(Poco::Timestamp(micros),
                                           Poco::DateTimeFormat::ISO8601_FRAC_FORMAT);
}

}  // namespace valhalla::host::process
