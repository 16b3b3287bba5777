#include "shared/prometheus_text.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "shared/request_metrics.hpp"
#include "shared/shared_region.hpp"

namespace valhalla::host::shared {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PrometheusText, RequestsByRouteAndClass) {
    auto region = SharedRegion::create();
    RequestMetrics metrics(region, 0);
    for (int status : {200, 201, 404, 503}) {
        metrics.begin();
        metrics.end("items", "/items/{id}", status, 2ms);
    }

    std::string text = renderPrometheusText(region.layout());

    EXPECT_THAT(text,
                HasSubstr("valhalla_http_requests_total{plugin=\"items\",route=\"/items/{id}\","
                          "status=\"2xx\"} 2\n"));
    EXPECT_THAT(text,
                HasSubstr("valhalla_http_requests_total{plugin=\"items\",route=\"/items/{id}\","
                          "status=\"4xx\"} 1\n"));
    EXPECT_THAT(text,
                HasSubstr("valhalla_http_requests_total{plugin=\"items\",route=\"/items/{id}\","
                          "status=\"5xx\"} 1\n"));
    EXPECT_THAT(text, Not(HasSubstr("status=\"3xx\"")));
}

TEST(PrometheusText, HistogramIsCumulative) {
    auto region = SharedRegion::create();
    RequestMetrics metrics(region, 0);
    for (std::chrono::microseconds duration : {400us, 800us, 3000000us}) {
        metrics.begin();
        metrics.end("hello", "/hello", 200, duration);
    }

    std::string text = renderPrometheusText(region.layout());
    const std::string prefix =
        "valhalla_http_request_duration_seconds_bucket{plugin=\"hello\",route=\"/hello\",";

    EXPECT_THAT(text, HasSubstr(prefix + "le=\"0.0005\"} 1\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "le=\"0.001\"} 2\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "le=\"2.5\"} 2\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "le=\"5\"} 3\n"));
    EXPECT_THAT(text, HasSubstr(prefix + "le=\"+Inf\"} 3\n"));
    EXPECT_THAT(text,
                HasSubstr("valhalla_http_request_duration_seconds_count{plugin=\"hello\","
                          "route=\"/hello\"} 3\n"));
}

TEST(PrometheusText, GaugesSumOverWorkers) {
    auto region = SharedRegion::create();
    region.layout().workers[0].connections_open = 3;
    region.layout().workers[7].connections_open = 4;
    region.layout().workers[0].pid = 100;
    region.layout().workers[7].pid = 101;
    region.layout().worker_restarts = 2;

    std::string text = renderPrometheusText(region.layout());

    EXPECT_THAT(text, HasSubstr("\nvalhalla_connections_open 7\n"));
    EXPECT_THAT(text, HasSubstr("\nvalhalla_workers 2\n"));
    EXPECT_THAT(text, HasSubstr("\nvalhalla_worker_restarts_total 2\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE valhalla_worker_restarts_total counter\n"));
}

TEST(PrometheusText, LabelValuesAreEscaped) {
    EXPECT_EQ(escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace valhalla::host::shared
