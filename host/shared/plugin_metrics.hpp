#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <valhalla/sdk/metrics.hpp>

#include "shared/shared_region.hpp"

namespace valhalla::host::shared {

/// The counters and histograms one plugin declared, kept in the shared region so
/// `/metrics` sums them over every worker. Thread-safe.
class PluginMetrics {
public:
    PluginMetrics(SharedRegion& region, std::string plugin);
    ~PluginMetrics();

    /// Implements sdk::PluginContext::counter.
    sdk::Counter& counter(const std::string& name, const std::string& help);

    /// Implements sdk::PluginContext::histogram.
    sdk::Histogram& histogram(const std::string& name,
                              const std::string& help,
                              const std::vector<double>& bounds);

private:
    PluginMetricSlot& claim(const std::string& name,
                            const std::string& help,
                            PluginMetricKind kind,
                            const std::vector<double>& bounds);

    SharedRegion& region_;
    std::string plugin_;
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<sdk::Counter>> counters_;
    std::map<std::string, std::unique_ptr<sdk::Histogram>> histograms_;
};

/// Replaces every character of `name` other than ASCII letters, digits and `_` with
/// `_`, so a plugin name can prefix a Prometheus metric name.
std::string metricNamePart(const std::string& name);

}  // namespace valhalla::host::shared
