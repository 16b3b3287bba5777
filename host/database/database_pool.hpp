#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include <valhalla/sdk/database.hpp>

#include "config/settings.hpp"
#include "database/session_connectors.hpp"
#include "database/session_slots.hpp"
#include "database/tuned_session_pool.hpp"
#include "logging/rate_limiter.hpp"

namespace valhalla::host::database {

/// The worker's sdk::Database: a Poco SessionPool with a bounded wait in front of it,
/// because SessionPool::get() fails at once when every session is in use.
///
/// Creates no connection until the first acquire, so a database that is down at
/// start-up does not stop the host. Creates the pool's janitor thread, so it must be
/// constructed in the worker, never before a fork.
class DatabasePool : public sdk::Database {
public:
    explicit DatabasePool(const config::Settings& settings);
    ~DatabasePool() override;

    sdk::SessionLease acquire() override;

    const std::string& connector() const override { return connector_; }

    std::size_t poolSize() const override { return size_; }

    std::size_t inUse() const override { return in_use_.load(); }

    /// Connection target without secrets: `user@host:port/database` or the SQLite path.
    const std::string& target() const { return target_; }

    /// Acquisitions that found no free session and had to wait, since start.
    std::uint64_t acquireWaits() const { return acquire_waits_.load(); }

    /// Acquisitions that waited the whole acquire timeout and failed with 503.
    std::uint64_t exhaustedCount() const { return exhausted_.load(); }

    /// Closes every session. Leases must all be returned before.
    void shutdown();

private:
    void releaseSlot();
    [[noreturn]] void failExhausted();
    [[noreturn]] void failUnreachable(const std::string& reason);
    void createConnectors(const config::Settings& settings);

    std::string connector_;
    std::string target_;
    std::size_t size_;
    std::chrono::milliseconds acquire_timeout_;
    // Declared before the pool, which creates its sessions through these connectors.
    std::unique_ptr<SessionConnectors> connectors_;
    std::unique_ptr<TunedSessionPool> pool_;
    SessionSlots slots_;
    std::atomic<std::size_t> in_use_{0};
    std::atomic<std::uint64_t> acquire_waits_{0};
    std::atomic<std::uint64_t> exhausted_{0};
    std::shared_ptr<spdlog::logger> log_;
    logging::RateLimiter exhausted_log_limit_{std::chrono::seconds(5)};
    logging::RateLimiter unreachable_log_limit_{std::chrono::seconds(5)};
};

}  // namespace valhalla::host::database
