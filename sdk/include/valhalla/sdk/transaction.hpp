#pragma once

#include <exception>
#include <optional>
#include <stdexcept>

#include <Poco/String.h>
#include <Poco/Types.h>

#include <valhalla/sdk/database.hpp>
#include <valhalla/sdk/http_error.hpp>

namespace valhalla::sdk {

/// A transaction on a lent session that commits only on the connection it began on.
///
/// The constructor begins the transaction and, on MySQL, reads `CONNECTION_ID()`.
/// commit() reads it again and refuses to commit when it changed, because a connection
/// that was lost and silently reconnected in between has dropped the statements before
/// the reconnect. Sessions of the host's pool also switch automatic reconnection off
/// while a transaction is open, so there a lost connection fails the next statement.
/// The check covers a reconnect that happens anyway. Destroying an
/// uncommitted Transaction rolls it back. Use it on the thread that holds the lease,
/// and keep the lease alive longer than the Transaction.
class Transaction {
public:
    /// Begins a transaction on `lease`. Throws the Poco::Data exception of BEGIN or of
    /// reading the connection id, after rolling the transaction back.
    explicit Transaction(SessionLease& lease) : lease_(lease) {
        lease_->begin();
        try {
            connection_id_ = readConnectionId();
        } catch (const std::exception&) {
            rollbackQuietly();
            throw;
        }
    }

    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    /// Rolls the transaction back unless commit() or rollback() ended it. Never throws.
    ~Transaction() {
        if (open_) {
            rollbackQuietly();
        }
    }

    /// Commits the transaction. Throws HttpError 503 with `Retry-After: 1` after rolling
    /// back when the connection changed since the transaction began. Throws the
    /// Poco::Data exception of a failed statement or COMMIT; when COMMIT itself loses the
    /// connection, the server may or may not have committed. Throws std::logic_error
    /// when the transaction has already ended.
    void commit() {
        requireOpen();
        if (readConnectionId() != connection_id_) {
            rollbackQuietly();
            throw HttpError(503,
                            "the database connection was replaced during the transaction, so "
                            "it was rolled back; retry the request")
                .withHeader("Retry-After", "1");
        }
        open_ = false;
        lease_->commit();
    }

    /// Rolls the transaction back. Throws the Poco::Data exception of ROLLBACK, and
    /// std::logic_error when the transaction has already ended.
    void rollback() {
        requireOpen();
        open_ = false;
        lease_->rollback();
    }

private:
    /// Returns the server's id of the connection, or std::nullopt on SQLite, which runs
    /// in the process and never reconnects.
    std::optional<Poco::Int64> readConnectionId() {
        if (Poco::icompare(lease_->connector(), "mysql") != 0) {
            return std::nullopt;
        }
        QueryResult result = lease_.read("SELECT CONNECTION_ID()");
        return result.rows.at(0).at(0).convert<Poco::Int64>();
    }

    void requireOpen() const {
        if (!open_) {
            throw std::logic_error("the transaction has already been committed or rolled back");
        }
    }

    void rollbackQuietly() noexcept {
        open_ = false;
        try {
            lease_->rollback();
        } catch (const std::exception&) {
            // The connection is broken, and the server rolls back a transaction whose
            // connection ends.
        }
    }

    SessionLease& lease_;
    std::optional<Poco::Int64> connection_id_;
    bool open_ = true;
};

}  // namespace valhalla::sdk
