#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <Poco/Data/SessionImpl.h>
#include <Poco/Exception.h>
#include <spdlog/logger.h>

#include <valhalla/sdk/query.hpp>

#include "database/statement_cache.hpp"
#include "logging/rate_limiter.hpp"

namespace valhalla::host::database {

/// Options shared by every QueryRunner of one pool.
struct QueryRunnerOptions {
    /// Prepared statements kept per connection; 0 prepares every statement afresh.
    std::size_t cache_capacity = 0;
    /// The `db` logger, for retries.
    std::shared_ptr<spdlog::logger> log;
    /// Limits the retry log lines of all connections of the pool.
    std::shared_ptr<logging::RateLimiter> retry_log_limit;
};

/// The sdk::detail::StatementRunner of one connection, owned by the connection's
/// session object so that its statements can never outlive the connection. Keeps the
/// connection's prepared statements in a StatementCache, drops a statement that threw,
/// drops all of them once the client library has reconnected, and runs a read once more
/// after a lost connection. Not thread-safe: only the thread that leased the session
/// uses it.
class QueryRunner : public sdk::detail::StatementRunner {
public:
    /// `session` is the connection that owns this runner. `connection_id` returns the
    /// id of the server connection that the client library uses right now, so the id
    /// changes when the library reconnects. It returns 0 for a connector that never
    /// reconnects.
    QueryRunner(Poco::Data::SessionImpl& session,
                std::function<std::uint64_t()> connection_id,
                QueryRunnerOptions options);

    sdk::QueryResult run(const std::string& sql,
                         const sdk::QueryParameters& parameters,
                         sdk::detail::StatementKind kind) override;

    /// Destroys every prepared statement. Call it while the connection is still open.
    void clear() { cache_.clear(); }

    /// Number of prepared statements kept right now.
    std::size_t cachedStatements() const { return cache_.size(); }

private:
    sdk::QueryResult runOnce(const std::string& key,
                             const std::string& sql,
                             const std::string& signature,
                             const sdk::QueryParameters& parameters);
    void forgetStatementsOfReplacedConnection();
    void logRetry(const Poco::Exception& error);

    Poco::Data::SessionImpl& session_;
    std::function<std::uint64_t()> connection_id_;
    QueryRunnerOptions options_;
    StatementCache cache_;
    // Server connection id that every cached statement was prepared on.
    std::uint64_t prepared_on_ = 0;
};

}  // namespace valhalla::host::database
