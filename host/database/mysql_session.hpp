#pragma once

#include <cstddef>
#include <string>

#include <Poco/Any.h>
#include <Poco/Data/MySQL/SessionImpl.h>

#include "database/query_runner.hpp"

namespace valhalla::host::database {

/// A MySQL or MariaDB connection that owns the cache of its prepared statements.
///
/// Poco 1.11 gives no public handle on the connection behind a pooled session, and the
/// pool's idle janitor closes and destroys connections on its own thread. So a cache
/// kept outside the connection could outlive it, with statements that refer to a
/// destroyed connection. Here the connection object itself owns its QueryRunner.
/// close() and the destructor drop the statements while the connection is still open,
/// and a pooled session reaches the runner through getProperty(), which Poco's pooled
/// session forwards to the connection.
///
/// Transactions start with START TRANSACTION, which leaves autocommit on after COMMIT
/// or ROLLBACK; Poco's own begin() turns autocommit off and never back on, so later
/// statements on the pooled connection would wait for a commit that never comes. While
/// a transaction is open the client library's automatic reconnection is off: a
/// reconnect would drop the statements run so far and let the next ones commit one by
/// one on the new connection, so a lost connection fails the next statement instead.
class MysqlSession : public Poco::Data::MySQL::SessionImpl {
public:
    /// Connects like Poco's MySQL session does. `connection_string` uses the keys of
    /// Poco's MySQL connector.
    MysqlSession(const std::string& connection_string,
                 std::size_t login_timeout,
                 const QueryRunnerOptions& options);

    /// Returns the QueryRunner for sdk::detail::kStatementRunnerProperty, and Poco's
    /// properties otherwise.
    Poco::Any getProperty(const std::string& name) override;

    void begin() override;

    /// Sends COMMIT with automatic reconnection still off, because a client that
    /// reconnected first would commit nothing on the new connection and report success.
    void commit() override;

    /// Turns automatic reconnection back on before ROLLBACK, so a broken connection is
    /// replaced here and not on the next request.
    void rollback() override;

    bool isTransaction() const override { return in_transaction_; }

    /// Drops the prepared statements, then closes the connection.
    void close() override;

private:
    void endTransaction();
    void setAutomaticReconnect(bool enabled);

    QueryRunner runner_;
    bool in_transaction_ = false;
    bool reconnect_configured_ = false;
};

}  // namespace valhalla::host::database
