#include "rate_limited_log.hpp"

namespace valhalla::plugins::items {

bool RateLimitedLog::tryAcquire(std::uint64_t& suppressed) {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (written_once_ && now - last_written_ < interval_) {
        ++suppressed_;
        return false;
    }
    written_once_ = true;
    last_written_ = now;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
}

}  // namespace valhalla::plugins::items
