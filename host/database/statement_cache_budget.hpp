#pragma once

#include <cstddef>

namespace valhalla::host::database {

/// MariaDB's default `max_prepared_stmt_count`, the most prepared statements that all
/// connections of a server may hold together (MariaDB 10.11 system variables).
inline constexpr std::size_t kDefaultServerStatementLimit = 16382;

/// How many prepared statements each pooled connection keeps.
struct StatementCacheBudget {
    /// Statements each connection keeps: the setting, lowered to fit the server limit.
    std::size_t per_connection = 0;
    /// Maximum number of prepared statements of all workers together: WORKERS x pool
    /// size x (per_connection + 1), counting the statement a call prepares before it
    /// is kept.
    std::size_t max_prepared_statements = 0;
    /// Whether per_connection is below the configured value.
    bool lowered = false;
};

/// Fits `configured` statements per connection into half of
/// kDefaultServerStatementLimit for `workers` processes with `pool_size` connections
/// each. Half, because during a reload the old and the new workers run side by side.
/// Each connection also needs room for the statement that a call prepares before it
/// is kept. The result may be 0, which turns caching off.
StatementCacheBudget statementCacheBudget(std::size_t configured,
                                          std::size_t workers,
                                          std::size_t pool_size);

}  // namespace valhalla::host::database
