#pragma once

#include <chrono>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "shared/shared_region.hpp"

namespace valhalla::host::shared {

/// Records requests of one worker in the shared region: in-flight requests in the
/// worker's slot, and responses and latency in the slot of their (plugin, route
/// pattern) pair. Thread-safe.
class RequestMetrics {
public:
    RequestMetrics(SharedRegion& region, int worker_slot);

    WorkerSlot& worker() { return worker_; }

    void begin();

    /// Counts a response. `route` must be a pattern or another bounded name, never a
    /// raw path, because each distinct pair takes a slot for the region's lifetime.
    void end(std::string_view plugin,
             std::string_view route,
             int status,
             std::chrono::microseconds duration);

private:
    RouteSlot& routeSlot(std::string_view plugin, std::string_view route);

    SharedRegion& region_;
    WorkerSlot& worker_;
    std::shared_mutex mutex_;
    // Key: plugin, a newline, then the route pattern.
    std::unordered_map<std::string, RouteSlot*> routes_;
};

/// Index of the latency bucket that counts `duration`.
std::size_t latencyBucket(std::chrono::microseconds duration);

}  // namespace valhalla::host::shared
