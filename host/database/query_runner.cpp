#include "database/query_runner.hpp"

#include <utility>

#include "database/mysql_error.hpp"
#include "database/parameter_type.hpp"

namespace valhalla::host::database {

QueryRunner::QueryRunner(Poco::Data::SessionImpl& session,
                         std::function<std::uint64_t()> connection_id,
                         QueryRunnerOptions options)
    : session_(session),
      connection_id_(std::move(connection_id)),
      options_(std::move(options)),
      cache_(options_.cache_capacity) {}

sdk::QueryResult QueryRunner::run(const std::string& sql,
                                  const sdk::QueryParameters& parameters,
                                  sdk::detail::StatementKind kind) {
    std::string signature = parameterSignature(parameters);
    std::string key = signature + ":" + sql;
    try {
        return runOnce(key, sql, signature, parameters);
    } catch (const Poco::Exception& error) {
        // Inside a transaction a retry would run outside the statements before it, and
        // a write may have been applied before the connection broke.
        bool retry = kind == sdk::detail::StatementKind::Read && !session_.isTransaction() &&
                     isLostConnectionError(error);
        if (!retry) {
            throw;
        }
        logRetry(error);
    }
    return runOnce(key, sql, signature, parameters);
}

sdk::QueryResult QueryRunner::runOnce(const std::string& key,
                                      const std::string& sql,
                                      const std::string& signature,
                                      const sdk::QueryParameters& parameters) {
    forgetStatementsOfReplacedConnection();
    if (PreparedStatement* cached = cache_.find(key)) {
        try {
            return cached->execute(parameters);
        } catch (...) {
            // Poco refuses to run a statement again after it threw.
            cache_.erase(key);
            throw;
        }
    }

    auto statement =
        std::make_unique<PreparedStatement>(session_.createStatementImpl(), sql, signature);
    sdk::QueryResult result = statement->execute(parameters);
    // Preparing may have reconnected, which leaves the older statements unusable.
    forgetStatementsOfReplacedConnection();
    cache_.insert(key, std::move(statement));
    return result;
}

// NOTE: correctness does not depend on this check. MariaDB Connector/C 3.3 marks every
// statement of a connection as unprepared when it reconnects, so such a statement fails
// with 2030 on the client and never runs on the new connection, where its id may name
// another statement. Dropping them here saves a failed write after each reconnect.
// Server connection ids restart after a server restart, so an id can repeat.
void QueryRunner::forgetStatementsOfReplacedConnection() {
    std::uint64_t current = connection_id_();
    if (current != prepared_on_) {
        cache_.clear();
        prepared_on_ = current;
    }
}

void QueryRunner::logRetry(const Poco::Exception& error) {
    if (!options_.log || !options_.retry_log_limit) {
        return;
    }
    if (auto suppressed = options_.retry_log_limit->admit()) {
        options_.log->warn(
            "database read failed on a lost connection, retrying once with a fresh statement "
            "mysql_error={} error=\"{}\" suppressed_since_last={}",
            mysqlErrorNumber(error),
            error.displayText(),
            *suppressed);
    }
}

}  // namespace valhalla::host::database
