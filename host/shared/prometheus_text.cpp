#include "shared/prometheus_text.hpp"

#include <bit>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

namespace valhalla::host::shared {

namespace {

constexpr std::string_view kStatusClassNames[kStatusClasses] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string formatDouble(double value) {
    return fmt::format("{}", value);
}

template <typename Field>
std::int64_t sumWorkers(const RegionLayout& layout, Field field) {
    std::int64_t total = 0;
    for (const auto& worker : layout.workers) {
        total += static_cast<std::int64_t>((worker.*field).load(std::memory_order_relaxed));
    }
    return total;
}

template <typename Field>
void workerMetric(std::string& out,
                  const RegionLayout& layout,
                  std::string_view name,
                  std::string_view type,
                  std::string_view help,
                  Field field) {
    header(out, name, type, help);
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, sumWorkers(layout, field));
}

void scalar(std::string& out,
            std::string_view name,
            std::string_view type,
            std::string_view help,
            std::int64_t value) {
    header(out, name, type, help);
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
}

bool isUsed(const RouteSlot& slot) {
    for (const auto& count : slot.responses) {
        if (count.load(std::memory_order_relaxed) != 0) {
            return true;
        }
    }
    return false;
}

template <typename Visit>
void forEachRoute(const RegionLayout& layout, Visit visit) {
    for (const auto& slot : layout.routes) {
        if (slot.state.load(std::memory_order_acquire) ==
            static_cast<std::uint32_t>(RouteSlotState::free)) {
            break;
        }
        visit(slot);
    }
    if (isUsed(layout.route_overflow)) {
        visit(layout.route_overflow);
    }
}

std::string routeLabels(const RouteSlot& slot) {
    return fmt::format(
        "plugin=\"{}\",route=\"{}\"", escapeLabelValue(slot.plugin), escapeLabelValue(slot.route));
}

void requestMetrics(std::string& out, const RegionLayout& layout) {
    header(out,
           "valhalla_http_requests_total",
           "counter",
           "Responses sent, by plugin, route pattern and status class.");
    forEachRoute(layout, [&out](const RouteSlot& slot) {
        std::string labels = routeLabels(slot);
        for (std::size_t i = 0; i < kStatusClasses; ++i) {
            auto count = slot.responses[i].load(std::memory_order_relaxed);
            if (count != 0) {
                fmt::format_to(std::back_inserter(out),
                               "valhalla_http_requests_total{{{},status=\"{}\"}} {}\n",
                               labels,
                               kStatusClassNames[i],
                               count);
            }
        }
    });

    header(out,
           "valhalla_http_request_duration_seconds",
           "histogram",
           "Time from a complete request head to the end of the response.");
    forEachRoute(layout, [&out](const RouteSlot& slot) {
        std::string labels = routeLabels(slot);
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
            cumulative += slot.latency_buckets[i].load(std::memory_order_relaxed);
            std::string bound = i < kLatencyBoundsMicros.size()
                                    ? formatDouble(kLatencyBoundsMicros[i] / 1e6)
                                    : std::string("+Inf");
            fmt::format_to(std::back_inserter(out),
                           "valhalla_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                           labels,
                           bound,
                           cumulative);
        }
        fmt::format_to(std::back_inserter(out),
                       "valhalla_http_request_duration_seconds_sum{{{}}} {}\n"
                       "valhalla_http_request_duration_seconds_count{{{}}} {}\n",
                       labels,
                       formatDouble(slot.latency_sum_micros.load(std::memory_order_relaxed) / 1e6),
                       labels,
                       cumulative);
    });
}

void workerMetrics(std::string& out, const RegionLayout& layout) {
    workerMetric(out,
                 layout,
                 "valhalla_http_requests_in_flight",
                 "gauge",
                 "Requests being served.",
                 &WorkerSlot::in_flight);
    workerMetric(out,
                 layout,
                 "valhalla_connections_open",
                 "gauge",
                 "Open client connections.",
                 &WorkerSlot::connections_open);
    workerMetric(out,
                 layout,
                 "valhalla_connections_idle",
                 "gauge",
                 "Open client connections waiting for a request head.",
                 &WorkerSlot::connections_idle);
    workerMetric(out,
                 layout,
                 "valhalla_request_queue_length",
                 "gauge",
                 "Complete requests waiting for a request thread.",
                 &WorkerSlot::queue_length);
    workerMetric(out,
                 layout,
                 "valhalla_request_queue_rejections_total",
                 "counter",
                 "Requests answered 503 because the queue was full or the wait too long.",
                 &WorkerSlot::queue_rejections);
    workerMetric(out,
                 layout,
                 "valhalla_db_pool_size",
                 "gauge",
                 "Database sessions the pools may open.",
                 &WorkerSlot::pool_size);
    workerMetric(out,
                 layout,
                 "valhalla_db_pool_sessions_in_use",
                 "gauge",
                 "Database sessions lent to requests.",
                 &WorkerSlot::pool_in_use);
    workerMetric(out,
                 layout,
                 "valhalla_db_pool_acquire_waits_total",
                 "counter",
                 "Session requests that had to wait for a free session.",
                 &WorkerSlot::pool_acquire_waits);
    workerMetric(out,
                 layout,
                 "valhalla_db_pool_exhausted_total",
                 "counter",
                 "Session requests that timed out and got 503.",
                 &WorkerSlot::pool_exhausted);
}

void supervisorMetrics(std::string& out, const RegionLayout& layout) {
    std::int64_t workers = 0;
    for (const auto& worker : layout.workers) {
        workers += worker.pid.load(std::memory_order_relaxed) > 0 ? 1 : 0;
    }
    scalar(out, "valhalla_workers", "gauge", "Running worker processes.", workers);
    scalar(out,
           "valhalla_generation",
           "gauge",
           "Plugin generation that serves requests.",
           layout.serving_generation.load(std::memory_order_relaxed));
    scalar(out,
           "valhalla_worker_restarts_total",
           "counter",
           "Workers that died and were replaced.",
           static_cast<std::int64_t>(layout.worker_restarts.load(std::memory_order_relaxed)));
    scalar(out,
           "valhalla_plugin_load_failures_total",
           "counter",
           "Plugin files that failed to load, counted once per generation.",
           static_cast<std::int64_t>(layout.plugin_load_failures.load(std::memory_order_relaxed)));
    scalar(out,
           "valhalla_reloads_failed_total",
           "counter",
           "Reloads rejected or failed; the serving generation stayed.",
           static_cast<std::int64_t>(layout.reloads_failed.load(std::memory_order_relaxed)));
    scalar(out,
           "valhalla_start_time_seconds",
           "gauge",
           "Start of the supervisor, in seconds since the Unix epoch.",
           layout.started_unix_ms.load(std::memory_order_relaxed) / 1000);
}

double loadDouble(const std::atomic<std::uint64_t>& bits) {
    return std::bit_cast<double>(bits.load(std::memory_order_relaxed));
}

void pluginMetric(std::string& out, const PluginMetricSlot& slot) {
    std::string name = fmt::format("{}_{}", slot.plugin, slot.name);
    if (slot.kind == PluginMetricKind::counter) {
        header(out, name, "counter", slot.help);
        fmt::format_to(
            std::back_inserter(out), "{} {}\n", name, formatDouble(loadDouble(slot.value_bits)));
        return;
    }
    header(out, name, "histogram", slot.help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= slot.bound_count; ++i) {
        cumulative += slot.buckets[i].load(std::memory_order_relaxed);
        std::string bound = i < slot.bound_count ? formatDouble(slot.bounds[i]) : "+Inf";
        fmt::format_to(
            std::back_inserter(out), "{}_bucket{{le=\"{}\"}} {}\n", name, bound, cumulative);
    }
    fmt::format_to(std::back_inserter(out),
                   "{}_sum {}\n{}_count {}\n",
                   name,
                   formatDouble(loadDouble(slot.value_bits)),
                   name,
                   cumulative);
}

}  // namespace

std::string escapeLabelValue(std::string_view value) {
    std::string escaped;
    escaped.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            escaped += "\\\\";
        } else if (c == '"') {
            escaped += "\\\"";
        } else if (c == '\n') {
            escaped += "\\n";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

std::string renderPrometheusText(const RegionLayout& layout) {
    std::string out;
    out.reserve(16 * 1024);
    requestMetrics(out, layout);
    workerMetrics(out, layout);
    supervisorMetrics(out, layout);
    for (const auto& slot : layout.plugin_metrics) {
        if (slot.state.load(std::memory_order_acquire) == 0) {
            break;
        }
        pluginMetric(out, slot);
    }
    return out;
}

}  // namespace valhalla::host::shared
