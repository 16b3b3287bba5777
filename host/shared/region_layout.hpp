#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include <pthread.h>

namespace valhalla::host::shared {

// The shared-memory region's layout. Workers exec the supervisor's own
// /proc/self/exe, so both sides always agree on it. The magic and version only catch
// a descriptor that is not a region.
inline constexpr std::uint32_t kRegionMagic = 0x56484c52;  // "VHLR"
inline constexpr std::uint32_t kLayoutVersion = 1;

/// Worker slots. The supervisor gives each running worker a free slot, so this
/// bounds twice `server.workers` during a reload.
inline constexpr int kWorkerSlots = 256;
/// Distinct (plugin, route pattern) pairs with their own counters. Further pairs
/// share the overflow entry.
inline constexpr int kRouteSlots = 1024;
/// Metrics that plugins declare through the SDK, over all plugins.
inline constexpr int kPluginMetricSlots = 512;
/// Bucket bounds of one plugin histogram.
inline constexpr std::size_t kMaxHistogramBounds = 16;
/// Bytes of the supervisor's JSON record.
inline constexpr std::size_t kRecordCapacity = 256 * 1024;

inline constexpr std::size_t kStatusClasses = 5;  // 1xx to 5xx
/// Upper bounds of the latency histogram's buckets in microseconds; a last bucket
/// counts everything slower.
inline constexpr std::array<std::uint64_t, 14> kLatencyBoundsMicros = {500,
                                                                       1'000,
                                                                       2'500,
                                                                       5'000,
                                                                       10'000,
                                                                       25'000,
                                                                       50'000,
                                                                       100'000,
                                                                       250'000,
                                                                       500'000,
                                                                       1'000'000,
                                                                       2'500'000,
                                                                       5'000'000,
                                                                       10'000'000};
inline constexpr std::size_t kLatencyBuckets = kLatencyBoundsMicros.size() + 1;

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "counters in shared memory need lock-free 64-bit atomics");
static_assert(std::atomic<std::int64_t>::is_always_lock_free);
static_assert(std::atomic<std::int32_t>::is_always_lock_free);

/// Counters and gauges of the worker process in one slot. Only that worker writes
/// them. Counters keep growing across the workers that use the slot in turn, so sums
/// survive worker replacement. The supervisor zeroes the gauges when the worker
/// exits, because a killed worker cannot.
struct alignas(64) WorkerSlot {
    std::atomic<std::int32_t> pid;
    std::atomic<std::int32_t> generation;
    // Gauges.
    std::atomic<std::int64_t> in_flight;
    std::atomic<std::int64_t> connections_open;
    std::atomic<std::int64_t> connections_idle;
    std::atomic<std::int64_t> queue_length;
    std::atomic<std::int64_t> pool_size;
    std::atomic<std::int64_t> pool_in_use;
    // Counters.
    std::atomic<std::uint64_t> queue_rejections;
    std::atomic<std::uint64_t> pool_acquire_waits;
    std::atomic<std::uint64_t> pool_exhausted;
    // Set by the worker when a handler outlived `server.handler_timeout`; the
    // supervisor then replaces the worker.
    std::atomic<std::uint32_t> stuck;
    // Written by the worker's fatal-signal handler: the handler that was running, as
    // "plugin=... route=... request_id=...". The supervisor logs it with the death.
    std::atomic<std::uint32_t> crash_note_length;
    char crash_note[384];
};

enum class RouteSlotState : std::uint32_t { free = 0, ready = 2 };

/// Requests served through one (plugin, route pattern) pair by every worker.
struct alignas(64) RouteSlot {
    std::atomic<std::uint32_t> state;
    char plugin[64];
    char route[192];
    std::array<std::atomic<std::uint64_t>, kStatusClasses> responses;
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets> latency_buckets;
    std::atomic<std::uint64_t> latency_sum_micros;
};

enum class PluginMetricKind : std::uint32_t { counter = 1, histogram = 2 };

/// A counter or histogram declared by a plugin, summed over every worker. Values are
/// doubles stored as their bit patterns, so they can be added with a compare and
/// swap on a lock-free 64-bit atomic.
struct alignas(64) PluginMetricSlot {
    std::atomic<std::uint32_t> state;
    PluginMetricKind kind;
    char plugin[64];
    char name[96];
    char help[192];
    std::uint32_t bound_count;
    double bounds[kMaxHistogramBounds];
    std::atomic<std::uint64_t> value_bits;  // counter value, or histogram sum
    std::array<std::atomic<std::uint64_t>, kMaxHistogramBounds + 1> buckets;
};

/// The supervisor's record of generations, plugin load results and worker states as
/// one JSON document. The supervisor replaces it whole under `mutex`, which is
/// process-shared and robust, so a worker killed while it copies the text leaves no
/// lock behind.
struct RecordBuffer {
    pthread_mutex_t mutex;
    std::uint64_t version;
    std::uint32_t length;
    char text[kRecordCapacity];
};

struct RegionLayout {
    std::uint32_t magic;
    std::uint32_t layout_version;
    std::uint64_t size;
    std::atomic<std::int64_t> started_unix_ms;
    std::atomic<std::int32_t> serving_generation;
    std::atomic<std::uint32_t> stopping;
    std::atomic<std::uint64_t> worker_restarts;
    std::atomic<std::uint64_t> plugin_load_failures;
    std::atomic<std::uint64_t> reloads_failed;
    // Serializes route and plugin metric slot claims. Process-shared and robust like
    // the record's.
    pthread_mutex_t route_mutex;
    RecordBuffer record;
    WorkerSlot workers[kWorkerSlots];
    RouteSlot routes[kRouteSlots];
    RouteSlot route_overflow;
    PluginMetricSlot plugin_metrics[kPluginMetricSlots];
};

}  // namespace valhalla::host::shared
