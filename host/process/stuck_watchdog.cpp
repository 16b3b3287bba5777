#include "process/stuck_watchdog.hpp"

#include <algorithm>

namespace valhalla::host::process {

StuckWatchdog::StuckWatchdog(std::chrono::milliseconds limit,
                             Report report,
                             std::function<void()> sample)
    : limit_(limit),
      report_(std::move(report)),
      sample_(std::move(sample)),
      thread_([this] { run(); }) {}

StuckWatchdog::~StuckWatchdog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void StuckWatchdog::run() {
    // A quarter of the limit finds a stuck handler at most 25 % late.
    auto period =
        std::clamp(limit_ / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
    bool reported = false;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
        if (sample_) {
            sample_();
        }
        if (reported) {
            continue;
        }
        auto stuck = server::requestsRunningLongerThan(limit_);
        if (!stuck.empty()) {
            report_(stuck);
            reported = true;
        }
    }
}

}  // namespace valhalla::host::process
