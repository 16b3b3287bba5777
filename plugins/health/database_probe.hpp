#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include <valhalla/sdk/database.hpp>

namespace valhalla::plugins::health {

/// Result of one database check.
struct DatabaseStatus {
    std::string connector;
    bool reachable = false;
    std::size_t pool_size = 0;
    std::size_t in_use = 0;
};

/// Checks whether the database responds by running `SELECT 1` on a pooled session.
/// Logs a warning when the database becomes unreachable and an info line when it is
/// reachable again, not on every check. Thread-safe.
class DatabaseProbe {
public:
    DatabaseProbe(sdk::Database& database, std::shared_ptr<spdlog::logger> logger);

    /// Runs the check. Catches every exception from acquiring the session or running
    /// the query and reports it as `reachable == false`. Pool figures are read after
    /// the session went back to the pool.
    DatabaseStatus check(const std::string& request_id);

private:
    /// Runs `SELECT 1` and returns an empty string on success, else the error text.
    std::string runQuery();

    void recordResult(bool reachable, const std::string& error, const std::string& request_id);

    sdk::Database& database_;
    std::shared_ptr<spdlog::logger> logger_;
    std::atomic<bool> last_reachable_{true};
};

}  // namespace valhalla::plugins::health
