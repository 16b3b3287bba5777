#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "server/current_request.hpp"

namespace valhalla::host::process {

/// A thread that looks for plugin handlers running longer than a limit and reports
/// them once: a handler cannot be cancelled, so the first report is the signal to
/// replace the whole worker. On each check it also calls `sample`, which publishes
/// gauges that nothing else updates.
class StuckWatchdog {
public:
    using Report = std::function<void(const std::vector<server::LongRequest>&)>;

    StuckWatchdog(std::chrono::milliseconds limit, Report report, std::function<void()> sample);
    ~StuckWatchdog();
    StuckWatchdog(const StuckWatchdog&) = delete;
    StuckWatchdog& operator=(const StuckWatchdog&) = delete;

private:
    void run();

    std::chrono::milliseconds limit_;
    Report report_;
    std::function<void()> sample_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace valhalla::host::process
