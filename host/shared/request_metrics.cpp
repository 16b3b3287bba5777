#include "shared/request_metrics.hpp"

#include <algorithm>
#include <mutex>

namespace valhalla::host::shared {

RequestMetrics::RequestMetrics(SharedRegion& region, int worker_slot)
    : region_(region), worker_(region.layout().workers[worker_slot]) {}

void RequestMetrics::begin() {
    worker_.in_flight.fetch_add(1, std::memory_order_relaxed);
}

void RequestMetrics::end(std::string_view plugin,
                         std::string_view route,
                         int status,
                         std::chrono::microseconds duration) {
    worker_.in_flight.fetch_sub(1, std::memory_order_relaxed);
    RouteSlot& slot = routeSlot(plugin, route);
    int status_class = std::clamp(status / 100, 1, 5);
    slot.responses[static_cast<std::size_t>(status_class - 1)].fetch_add(1,
                                                                         std::memory_order_relaxed);
    slot.latency_buckets[latencyBucket(duration)].fetch_add(1, std::memory_order_relaxed);
    slot.latency_sum_micros.fetch_add(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, duration.count())),
        std::memory_order_relaxed);
}

RouteSlot& RequestMetrics::routeSlot(std::string_view plugin, std::string_view route) {
    std::string key;
    key.reserve(plugin.size() + route.size() + 1);
    key.append(plugin).append(1, '\n').append(route);
    {
        std::shared_lock lock(mutex_);
        auto found = routes_.find(key);
        if (found != routes_.end()) {
            return *found->second;
        }
    }
    RouteSlot& slot = region_.routeSlot(plugin, route);
    std::unique_lock lock(mutex_);
    routes_.emplace(std::move(key), &slot);
    return slot;
}

std::size_t latencyBucket(std::chrono::microseconds duration) {
    auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(0, duration.count()));
    auto bound = std::lower_bound(kLatencyBoundsMicros.begin(), kLatencyBoundsMicros.end(), micros);
    return static_cast<std::size_t>(bound - kLatencyBoundsMicros.begin());
}

}  // namespace valhalla::host::shared
