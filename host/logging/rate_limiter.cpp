#include "logging/rate_limiter.hpp"

namespace valhalla::host::logging {

std::optional<std::uint64_t> RateLimiter::admit() {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (logged_once_ && now - last_ < interval_) {
        ++suppressed_;
        return std::nullopt;
    }
    logged_once_ = true;
    last_ = now;
    std::uint64_t suppressed = suppressed_;
    suppressed_ = 0;
    return suppressed;
}

std::optional<std::uint64_t> KeyedRateLimiter::admit(const std::string& key) {
    RateLimiter* limiter = nullptr;
    {
        std::lock_guard lock(mutex_);
        auto& slot = limiters_[key];
        if (!slot) {
            slot = std::make_unique<RateLimiter>(interval_);
        }
        limiter = slot.get();
    }
    return limiter->admit();
}

}  // namespace valhalla::host::logging
