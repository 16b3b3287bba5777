#include "database_errors.hpp"

#include <array>
#include <charconv>
#include <string>
#include <string_view>

#include <Poco/Data/DataException.h>
#include <Poco/Data/MySQL/MySQLException.h>
#include <Poco/Data/SQLite/SQLiteException.h>

namespace valhalla::plugins::items {

namespace {

/// MySQL and MariaDB error numbers after which the same request can succeed later.
/// They are 1040 too many connections, 1053 server shutdown, 1205 lock wait timeout,
/// 1213 deadlock, 1243 unknown prepared statement (the client reconnected, so the new
/// connection lacks it) and 1927 connection killed. The client errors are 2002 and
/// 2003 (cannot connect), 2006 (server has gone away), 2013 and 2055 (connection lost
/// during a query) and 2030 (statement not prepared: the client reconnected for
/// another statement).
constexpr std::array<int, 12> kRetryableMysqlErrors = {
    1040, 1053, 1205, 1213, 1243, 1927, 2002, 2003, 2006, 2013, 2030, 2055};

/// Reads the error number that Poco 1.11 writes into the message as
/// "[mysql_errno]: N" or "[mysql_stmt_errno]: N", because its code() stays 0. Returns
/// 0 when the message has none.
int mysqlErrorNumber(const std::string& message) {
    const std::string_view marker = "errno]: ";
    std::size_t position = message.find(marker);
    if (position == std::string::npos) {
        return 0;
    }
    const char* begin = message.data() + position + marker.size();
    int number = 0;
    std::from_chars(begin, message.data() + message.size(), number);
    return number;
}

bool isRetryableMysqlError(const Poco::Data::MySQL::MySQLException& error) {
    int number = error.code() != 0 ? error.code() : mysqlErrorNumber(error.message());
    for (int retryable : kRetryableMysqlErrors) {
        if (number == retryable) {
            return true;
        }
    }
    return false;
}

}  // namespace

bool isDatabaseUnavailable(const Poco::Exception& error) {
    if (dynamic_cast<const Poco::Data::ConnectionFailedException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::NotConnectedException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::MySQL::ConnectionException*>(&error) != nullptr) {
        return true;
    }
    if (const auto* mysql = dynamic_cast<const Poco::Data::MySQL::MySQLException*>(&error)) {
        return isRetryableMysqlError(*mysql);
    }
    return dynamic_cast<const Poco::Data::SQLite::DBLockedException*>(&error) != nullptr ||
           dynamic_cast<const Poco::Data::SQLite::TableLockedException*>(&error) != nullptr ||
           dynamic_cast<const Poco::Data::SQLite::CantOpenDBFileException*>(&error) != nullptr ||
           dynamic_cast<const Poco::Data::SQLite::IOErrorException*>(&error) != nullptr;
}

}  // namespace valhalla::plugins::items
