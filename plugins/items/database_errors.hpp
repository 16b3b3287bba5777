#pragma once

#include <stdexcept>

#include <Poco/Exception.h>

namespace valhalla::plugins::items {

/// The database could not complete a request for a reason that a retry can cure, such
/// as a lost connection. Requests that fail with it end with 503 and Retry-After.
class DatabaseUnavailableError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Returns whether a Poco::Data exception means that the database is unreachable or
/// temporarily busy, rather than a bug in a statement. MySQL errors count when the
/// connection failed or was lost, the server is shutting down or refuses more
/// connections, or a lock wait or deadlock aborted the statement. SQLite errors count
/// when the file is locked or cannot be opened or read.
bool isDatabaseUnavailable(const Poco::Exception& error);

}  // namespace valhalla::plugins::items
