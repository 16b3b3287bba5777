#include "database/mysql_error.hpp"

#include <charconv>
#include <string>
#include <string_view>

#include <Poco/Data/MySQL/MySQLException.h>

namespace valhalla::host::database {

int mysqlErrorNumber(const Poco::Exception& error) {
    if (dynamic_cast<const Poco::Data::MySQL::MySQLException*>(&error) == nullptr) {
        return 0;
    }
    if (error.code() != 0) {
        return error.code();
    }
    const std::string& message = error.message();
    constexpr std::string_view kMarker = "errno]: ";
    std::size_t position = message.find(kMarker);
    if (position == std::string::npos) {
        return 0;
    }
    int number = 0;
    const char* begin = message.data() + position + kMarker.size();
    std::from_chars(begin, message.data() + message.size(), number);
    return number;
}

bool isLostConnectionError(const Poco::Exception& error) {
    switch (mysqlErrorNumber(error)) {
        case 1243:
        case 2006:
        case 2013:
        case 2030:
            return true;
        default:
            return false;
    }
}

}  // namespace valhalla::host::database
