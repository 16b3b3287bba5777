#include "shared/plugin_metrics.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace valhalla::host::shared {

namespace {

bool isValidMetricName(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

void addDouble(std::atomic<std::uint64_t>& bits, double amount) {
    std::uint64_t expected = bits.load(std::memory_order_relaxed);
    while (!bits.compare_exchange_weak(
        expected,
        std::bit_cast<std::uint64_t>(std::bit_cast<double>(expected) + amount),
        std::memory_order_relaxed)) {
    }
}

void copyText(char* target, std::size_t capacity, const std::string& text) {
    std::size_t length = std::min(text.size(), capacity - 1);
    std::memcpy(target, text.data(), length);
    target[length] = '\0';
}

class SharedCounter : public sdk::Counter {
public:
    explicit SharedCounter(PluginMetricSlot& slot) : slot_(slot) {}

    void add(double amount) override {
        if (std::isfinite(amount) && amount > 0) {
            addDouble(slot_.value_bits, amount);
        }
    }

private:
    PluginMetricSlot& slot_;
};

class SharedHistogram : public sdk::Histogram {
public:
    explicit SharedHistogram(PluginMetricSlot& slot) : slot_(slot) {}

    void observe(double value) override {
        if (!std::isfinite(value)) {
            return;
        }
        const double* begin = slot_.bounds;
        const double* end = begin + slot_.bound_count;
        auto bucket = static_cast<std::size_t>(std::lower_bound(begin, end, value) - begin);
        slot_.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
        addDouble(slot_.value_bits, value);
    }

private:
    PluginMetricSlot& slot_;
};

void checkBounds(const std::string& name, const std::vector<double>& bounds) {
    bool sorted =
        std::adjacent_find(bounds.begin(), bounds.end(), std::greater_equal<>()) == bounds.end();
    bool finite =
        std::all_of(bounds.begin(), bounds.end(), [](double b) { return std::isfinite(b); });
    if (bounds.empty() || bounds.size() > kMaxHistogramBounds || !sorted || !finite) {
        throw std::invalid_argument("histogram " + name + " needs 1 to " +
                                    std::to_string(kMaxHistogramBounds) +
                                    " finite bucket bounds in increasing order");
    }
}

bool sameDeclaration(const PluginMetricSlot& slot,
                     PluginMetricKind kind,
                     const std::vector<double>& bounds) {
    if (slot.kind != kind) {
        return false;
    }
    return kind == PluginMetricKind::counter ||
           (slot.bound_count == bounds.size() &&
            std::equal(bounds.begin(), bounds.end(), slot.bounds));
}

const char* kindName(PluginMetricKind kind) {
    return kind == PluginMetricKind::counter ? "counter" : "histogram";
}

}  // namespace

std::string metricNamePart(const std::string& name) {
    std::string part = name;
    for (char& c : part) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
            c = '_';
        }
    }
    return part;
}

PluginMetrics::PluginMetrics(SharedRegion& region, std::string plugin)
    : region_(region), plugin_(metricNamePart(plugin)) {}

PluginMetrics::~PluginMetrics() = default;

sdk::Counter& PluginMetrics::counter(const std::string& name, const std::string& help) {
    std::lock_guard lock(mutex_);
    auto& counter = counters_[name];
    if (!counter) {
        try {
            counter =
                std::make_unique<SharedCounter>(claim(name, help, PluginMetricKind::counter, {}));
        } catch (...) {
            counters_.erase(name);
            throw;
        }
    }
    return *counter;
}

sdk::Histogram& PluginMetrics::histogram(const std::string& name,
                                         const std::string& help,
                                         const std::vector<double>& bounds) {
    checkBounds(name, bounds);
    std::lock_guard lock(mutex_);
    auto found = histograms_.find(name);
    if (found != histograms_.end()) {
        claim(name, help, PluginMetricKind::histogram, bounds);  // Checks the bounds.
        return *found->second;
    }
    auto histogram =
        std::make_unique<SharedHistogram>(claim(name, help, PluginMetricKind::histogram, bounds));
    auto& stored = histograms_[name] = std::move(histogram);
    return *stored;
}

// Finds the slot of (plugin, name) or claims a free one. Slots are claimed in order
// under the region's claim mutex and never freed, like route slots.
PluginMetricSlot& PluginMetrics::claim(const std::string& name,
                                       const std::string& help,
                                       PluginMetricKind kind,
                                       const std::vector<double>& bounds) {
    if (!isValidMetricName(name) || name.size() >= sizeof(PluginMetricSlot::name)) {
        throw std::invalid_argument("invalid metric name '" + name +
                                    "': use letters, digits and _, not starting with a digit, "
                                    "at most 95 characters");
    }
    RobustLock lock(region_.layout().route_mutex);
    for (auto& slot : region_.layout().plugin_metrics) {
        if (slot.state.load(std::memory_order_acquire) == 0) {
            slot.kind = kind;
            copyText(slot.plugin, sizeof(slot.plugin), plugin_);
            copyText(slot.name, sizeof(slot.name), name);
            copyText(slot.help, sizeof(slot.help), help);
            slot.bound_count = static_cast<std::uint32_t>(bounds.size());
            std::copy(bounds.begin(), bounds.end(), slot.bounds);
            slot.state.store(1, std::memory_order_release);
            return slot;
        }
        if (plugin_ == slot.plugin && name == slot.name) {
            if (!sameDeclaration(slot, kind, bounds)) {
                throw std::invalid_argument(
                    "metric " + plugin_ + "_" + name + " was declared before as a " +
                    kindName(slot.kind) +
                    (slot.kind == PluginMetricKind::histogram ? " with other bounds" : "") +
                    "; use another name, or restart valhalla to drop the old declaration");
            }
            return slot;
        }
    }
    throw std::length_error("the table of plugin metrics is full (" +
                            std::to_string(kPluginMetricSlots) +
                            " metrics); declare fewer metrics");
}

}  // namespace valhalla::host::shared
