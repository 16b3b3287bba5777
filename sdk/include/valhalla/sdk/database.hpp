#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <Poco/Any.h>
#include <Poco/Data/DataException.h>
#include <Poco/Data/Session.h>

#include <valhalla/sdk/query.hpp>

namespace valhalla::sdk {

/// A database session lent from the host's pool for the duration of one request.
///
/// Destroying the lease rolls back a transaction that is still open and returns the
/// session to the pool. Never keep a lease beyond the request that acquired it: the
/// pool is small, and other requests wait for it. Movable, not copyable, and used by
/// one thread at a time.
class SessionLease {
public:
    /// Wraps a pooled session and a token whose destruction frees the pool slot. Only
    /// the host creates leases, and plugins get them from Database::acquire().
    SessionLease(Poco::Data::Session session, std::shared_ptr<void> slot)
        : slot_(std::move(slot)), session_(std::move(session)) {}

    /// Moves the lease. The moved-from lease holds no session and frees nothing.
    SessionLease(SessionLease&&) noexcept = default;

    /// Moves the lease. NOTE: the session this lease held before the assignment is
    /// released without the explicit rollback that the destructor does, so commit or
    /// roll back its transaction first.
    SessionLease& operator=(SessionLease&&) noexcept = default;

    SessionLease(const SessionLease&) = delete;
    SessionLease& operator=(const SessionLease&) = delete;

    /// Rolls back a transaction that is still open, then returns the session to the
    /// pool. Never throws: a rollback that fails on a broken connection is ignored.
    ~SessionLease() {
        try {
            if (slot_ && session_.isTransaction()) {
                session_.rollback();
            }
        } catch (...) {
            // The connection is broken; the pool drops or reconnects it.
        }
    }

    /// The lent session, valid as long as the lease. Statements on it throw
    /// Poco::Data exceptions when they fail.
    Poco::Data::Session& session() noexcept { return session_; }

    /// The lent session, for calls such as `lease->begin()`.
    Poco::Data::Session* operator->() noexcept { return &session_; }

    /// Runs a statement that changes nothing, such as a SELECT, and returns its rows.
    ///
    /// The statement is prepared once per pooled connection and kept, so the next call
    /// with the same SQL text and parameter types costs MySQL one round trip instead of
    /// prepare, execute and close. Outside a transaction a read that fails because the
    /// connection was lost or replaced (MySQL errors 1243, 2006, 2013 and 2030) runs
    /// once more with a freshly prepared statement. Throws the Poco::Data exception of
    /// the statement when that fails too, std::invalid_argument for a parameter of an
    /// unsupported type, and std::logic_error when the session was not lent by the
    /// host's pool.
    QueryResult read(const std::string& sql, const QueryParameters& parameters = {}) {
        return runner().run(sql, parameters, detail::StatementKind::Read);
    }

    /// Runs a statement that may change data, such as an INSERT, UPDATE or DELETE,
    /// through the same cache of prepared statements as read(), and returns the number
    /// of changed rows in `affected_rows`. Never runs a statement twice: after a lost
    /// connection it throws, because the server may have applied the change. Throws
    /// like read().
    QueryResult write(const std::string& sql, const QueryParameters& parameters = {}) {
        return runner().run(sql, parameters, detail::StatementKind::Write);
    }

private:
    detail::StatementRunner& runner() {
        detail::StatementRunner* runner = nullptr;
        try {
            runner = Poco::AnyCast<detail::StatementRunner*>(
                session_.getProperty(detail::kStatementRunnerProperty));
        } catch (const Poco::Data::NotSupportedException&) {
            // A session that the host's pool did not create has no runner.
        }
        if (runner == nullptr) {
            throw std::logic_error(
                "SessionLease::read() and write() need a session lent by "
                "Database::acquire()");
        }
        return *runner;
    }

    // Declared first so that it is destroyed last, after the session went back to
    // the pool.
    std::shared_ptr<void> slot_;
    Poco::Data::Session session_;
};

/// The worker's database pool: MySQL or MariaDB when `MYSQL_HOST` is set, otherwise
/// an embedded SQLite database. Thread-safe. The host owns it, and it stays open until
/// every plugin has stopped.
class Database {
public:
    /// Destroyed by the host only. Plugins never delete it.
    virtual ~Database() = default;

    /// Lends a session, waiting up to `database.pool.acquire_timeout` for a free one.
    /// Throws HttpError 503 with Retry-After when none becomes free in time or the
    /// database cannot be reached; the host logs it.
    virtual SessionLease acquire() = 0;

    /// Poco connector name: "mysql" or "sqlite".
    virtual const std::string& connector() const = 0;

    /// Maximum number of sessions of this worker's pool.
    virtual std::size_t poolSize() const = 0;

    /// Number of sessions lent out right now.
    virtual std::size_t inUse() const = 0;
};

}  // namespace valhalla::sdk
