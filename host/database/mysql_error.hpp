#pragma once

#include <Poco/Exception.h>

namespace valhalla::host::database {

/// Returns the MySQL or MariaDB error number of a Poco::Data::MySQL exception, or 0 for
/// other exceptions. Poco 1.11 leaves code() at 0 and writes the number into the
/// message as "[mysql_errno]: N" or "[mysql_stmt_errno]: N", so it is read from there.
int mysqlErrorNumber(const Poco::Exception& error);

/// Returns whether `error` means that the connection of the statement was lost or
/// replaced, so a read can run again on a fresh statement. The errors are 2006 (server
/// has gone away), 2013 (lost connection during the query), 1243 (unknown prepared
/// statement handler, because the client reconnected and the new connection lacks the
/// statement) and 2030 (statement not prepared, because the client library invalidated
/// it when it reconnected for another statement).
bool isLostConnectionError(const Poco::Exception& error);

}  // namespace valhalla::host::database
