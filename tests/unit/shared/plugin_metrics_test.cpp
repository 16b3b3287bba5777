#include "shared/plugin_metrics.hpp"

#include <stdexcept>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "shared/prometheus_text.hpp"

namespace valhalla::host::shared {
namespace {

using ::testing::HasSubstr;

TEST(PluginMetrics, SameNameSameCounter) {
    auto region = SharedRegion::create();
    PluginMetrics metrics(region, "shop");

    auto& first = metrics.counter("orders_total", "Orders.");
    auto& again = metrics.counter("orders_total", "Orders.");
    first.add();
    again.add(2.5);
    again.add(-4);

    EXPECT_EQ(&first, &again);
    EXPECT_THAT(renderPrometheusText(region.layout()), HasSubstr("\nshop_orders_total 3.5\n"));
}

TEST(PluginMetrics, WorkersShareOneSlot) {
    auto region = SharedRegion::create();
    PluginMetrics worker_a(region, "shop");
    PluginMetrics worker_b(region, "shop");

    worker_a.counter("orders_total", "Orders.").add();
    worker_b.counter("orders_total", "Orders.").add();

    EXPECT_THAT(renderPrometheusText(region.layout()), HasSubstr("\nshop_orders_total 2\n"));
}

TEST(PluginMetrics, InvalidNamesRejected) {
    auto region = SharedRegion::create();
    PluginMetrics metrics(region, "shop");

    EXPECT_THROW(metrics.counter("", "x"), std::invalid_argument);
    EXPECT_THROW(metrics.counter("9lives", "x"), std::invalid_argument);
    EXPECT_THROW(metrics.counter("with-dash", "x"), std::invalid_argument);
    EXPECT_THROW(metrics.counter(std::string(96, 'a'), "x"), std::invalid_argument);
}

TEST(PluginMetrics, KindMismatchRejected) {
    auto region = SharedRegion::create();
    PluginMetrics metrics(region, "shop");
    metrics.counter("latency", "x");

    EXPECT_THROW(metrics.histogram("latency", "x", {1, 2}), std::invalid_argument);
}

TEST(PluginMetrics, BoundsMustMatchAndIncrease) {
    auto region = SharedRegion::create();
    PluginMetrics metrics(region, "shop");
    metrics.histogram("size", "x", {1, 2});

    EXPECT_NO_THROW(metrics.histogram("size", "x", {1, 2}));
    EXPECT_THROW(metrics.histogram("size", "x", {1, 3}), std::invalid_argument);
    EXPECT_THROW(metrics.histogram("other", "x", {}), std::invalid_argument);
    EXPECT_THROW(metrics.histogram("other", "x", {2, 1}), std::invalid_argument);
    EXPECT_THROW(metrics.histogram("other", "x", {1, 1}), std::invalid_argument);
    EXPECT_THROW(metrics.histogram("other", "x", std::vector<double>(17, 1.0)),
                 std::invalid_argument);
}

TEST(PluginMetrics, FullTableRejected) {
    auto region = SharedRegion::create();
    PluginMetrics metrics(region, "shop");
    for (int i = 0; i < kPluginMetricSlots; ++i) {
        metrics.counter("c" + std::to_string(i), "x");
    }

    EXPECT_THROW(metrics.counter("one_more", "x"), std::length_error);
}

TEST(PluginMetrics, PluginNameIsSanitized) {
    EXPECT_EQ(metricNamePart("my-plugin.v2"), "my_plugin_v2");
}

}  // namespace
}  // namespace valhalla::host::shared
