#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include <Poco/Data/Session.h>

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

private:
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
