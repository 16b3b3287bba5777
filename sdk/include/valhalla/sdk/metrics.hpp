#pragma once

#include <functional>
#include <string>

namespace valhalla::sdk {

/// A counter in `/metrics`, summed over every worker and kept when a worker is
/// replaced. Thread-safe.
class Counter {
public:
    virtual ~Counter() = default;

    /// Adds `amount`. Negative and non-finite amounts are ignored, because a counter
    /// only grows.
    virtual void add(double amount = 1.0) = 0;
};

/// A histogram in `/metrics` with the bucket bounds given when it was declared,
/// summed over every worker. Thread-safe.
class Histogram {
public:
    virtual ~Histogram() = default;

    /// Counts `value` in the first bucket whose upper bound is not below it, and adds
    /// it to the sum. Non-finite values are ignored.
    virtual void observe(double value) = 0;
};

/// Result of a plugin's readiness check.
struct Readiness {
    bool ready = true;
    /// Reason the plugin is not ready, shown in `/readyz`.
    std::string reason;
};

/// A check that `/readyz` runs on every call, on a request thread. It must return
/// quickly (no network call without a short timeout), and an exception counts as not
/// ready with the exception's text.
using ReadinessCheck = std::function<Readiness()>;

}  // namespace valhalla::sdk
