#pragma once

#include <string>

#include "shared/region_layout.hpp"

namespace valhalla::host::shared {

/// Renders every metric in the region in the Prometheus text exposition format 0.0.4:
/// per-route response counters and latency histograms, worker gauges summed over all
/// worker slots, supervisor counters, and the metrics plugins declared.
std::string renderPrometheusText(const RegionLayout& layout);

/// Escapes a label value: backslash, double quote and line feed.
std::string escapeLabelValue(std::string_view value);

}  // namespace valhalla::host::shared
