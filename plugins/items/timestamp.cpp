#include "timestamp.hpp"

#include <stdexcept>

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

namespace valhalla::plugins::items {

namespace {

/// Length of "YYYY-MM-DD HH:MM:SS".
constexpr std::size_t kSecondsLength = 19;

}  // namespace

std::string currentDatabaseTimestamp() {
    return Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%d %H:%M:%S.%i");
}

std::string toIsoTimestamp(std::string_view stored) {
    bool has_fraction = stored.size() > kSecondsLength + 1 && stored[kSecondsLength] == '.';
    if (stored.size() < kSecondsLength || stored[10] != ' ' ||
        (stored.size() > kSecondsLength && !has_fraction)) {
        throw std::invalid_argument("unexpected timestamp in the database: '" +
                                    std::string(stored) + "'");
    }
    std::string milliseconds =
        has_fraction ? std::string(stored.substr(kSecondsLength + 1, 3)) : "";
    milliseconds.resize(3, '0');

    std::string iso(stored.substr(0, kSecondsLength));
    iso[10] = 'T';
    return iso + "." + milliseconds + "Z";
}

}  // namespace valhalla::plugins::items
