#pragma once

#include <cstddef>
#include <string>

#include <Poco/Any.h>
#include <Poco/Data/SQLite/SessionImpl.h>

#include "database/query_runner.hpp"

namespace valhalla::host::database {

/// An SQLite connection that owns a QueryRunner, so SessionLease::read() and write()
/// take the same path as on MySQL. The pool gives it a cache capacity of 0: SQLite
/// prepares a statement inside the process without a network round trip, so every
/// call prepares afresh.
class SqliteSession : public Poco::Data::SQLite::SessionImpl {
public:
    SqliteSession(const std::string& file_name,
                  std::size_t login_timeout,
                  const QueryRunnerOptions& options);

    /// Returns the QueryRunner for sdk::detail::kStatementRunnerProperty, and Poco's
    /// properties otherwise.
    Poco::Any getProperty(const std::string& name) override;

    /// Drops the prepared statements, then closes the database file.
    void close() override;

private:
    QueryRunner runner_;
};

}  // namespace valhalla::host::database
