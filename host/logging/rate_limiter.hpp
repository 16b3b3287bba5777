#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace valhalla::host::logging {

/// Lets one log line through per interval and counts the ones it holds back, so a
/// repeated error cannot flood the log. Thread-safe.
class RateLimiter {
public:
    explicit RateLimiter(std::chrono::milliseconds interval) : interval_(interval) {}

    /// Returns the number of lines suppressed since the last one let through when
    /// this line may be logged now, or std::nullopt when it must be dropped.
    std::optional<std::uint64_t> admit();

private:
    std::mutex mutex_;
    std::chrono::milliseconds interval_;
    std::chrono::steady_clock::time_point last_{};
    bool logged_once_ = false;
    std::uint64_t suppressed_ = 0;
};

/// One RateLimiter per key, such as a route, so a flood of one error does not hide
/// the first occurrence of another. Keys are never removed, so use only bounded key
/// sets. Thread-safe.
class KeyedRateLimiter {
public:
    explicit KeyedRateLimiter(std::chrono::milliseconds interval) : interval_(interval) {}

    /// Same as RateLimiter::admit, for the limiter of `key`.
    std::optional<std::uint64_t> admit(const std::string& key);

private:
    std::mutex mutex_;
    std::chrono::milliseconds interval_;
    std::map<std::string, std::unique_ptr<RateLimiter>> limiters_;
};

}  // namespace valhalla::host::logging
