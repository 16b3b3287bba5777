#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace valhalla::plugins::items {

/// Decides whether a repeated log line may be written: at most one per interval, and
/// the next line that passes reports how many were suppressed. Thread-safe.
class RateLimitedLog {
public:
    explicit RateLimitedLog(std::chrono::steady_clock::duration interval) : interval_(interval) {}

    /// Returns whether to write the line now. On true, `suppressed` is set to the number
    /// of lines dropped since the last one written.
    bool tryAcquire(std::uint64_t& suppressed);

private:
    std::chrono::steady_clock::duration interval_;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point last_written_{};
    bool written_once_ = false;
    std::uint64_t suppressed_ = 0;
};

}  // namespace valhalla::plugins::items
