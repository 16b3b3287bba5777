#include "shared/shared_region.hpp"

#include <string>

#include <gtest/gtest.h>

#include "shared/request_metrics.hpp"
#include <sys/wait.h>
#include <unistd.h>

namespace valhalla::host::shared {
namespace {

using namespace std::chrono_literals;

TEST(SharedRegion, AttachSeesCreatorsWrites) {
    auto region = SharedRegion::create();
    region.layout().workers[3].queue_rejections = 7;
    region.publishRecord(R"({"serving_generation":4})");

    auto attached = SharedRegion::attach(::dup(region.fd()));

    EXPECT_EQ(attached.layout().workers[3].queue_rejections.load(), 7u);
    EXPECT_EQ(attached.readRecord(), R"({"serving_generation":4})");
}

TEST(SharedRegion, ChildProcessCountsAreShared) {
    auto region = SharedRegion::create();
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto attached = SharedRegion::attach(::dup(region.fd()));
        RequestMetrics metrics(attached, 1);
        for (int i = 0; i < 1000; ++i) {
            metrics.begin();
            metrics.end("items", "/items/{id}", 200, 300us);
        }
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);

    RouteSlot& slot = region.routeSlot("items", "/items/{id}");

    EXPECT_EQ(slot.responses[1].load(), 1000u);
    EXPECT_EQ(slot.latency_buckets[0].load(), 1000u);
    EXPECT_EQ(slot.latency_sum_micros.load(), 300'000u);
    EXPECT_EQ(region.layout().workers[1].in_flight.load(), 0);
}

TEST(SharedRegion, AttachRejectsOtherDescriptor) {
    int pipe_ends[2];
    ASSERT_EQ(::pipe(pipe_ends), 0);
    ::close(pipe_ends[1]);

    EXPECT_THROW(SharedRegion::attach(pipe_ends[0]), std::runtime_error);
    ::close(pipe_ends[0]);
}

TEST(SharedRegion, RouteSlotsAreClaimedOnce) {
    auto region = SharedRegion::create();

    RouteSlot& first = region.routeSlot("hello", "/hello");
    RouteSlot& again = region.routeSlot("hello", "/hello");
    RouteSlot& other = region.routeSlot("hello", "/hello/{name}");

    EXPECT_EQ(&first, &again);
    EXPECT_NE(&first, &other);
    EXPECT_STREQ(other.route, "/hello/{name}");
}

TEST(SharedRegion, FullRouteTableUsesOverflow) {
    auto region = SharedRegion::create();
    for (int i = 0; i < kRouteSlots; ++i) {
        region.routeSlot("plugin", "/r" + std::to_string(i));
    }

    RouteSlot& extra = region.routeSlot("plugin", "/one-too-many");

    EXPECT_EQ(&extra, &region.layout().route_overflow);
    EXPECT_STREQ(extra.route, "(overflow)");
}

TEST(SharedRegion, OversizedRecordIsRejected) {
    auto region = SharedRegion::create();
    region.publishRecord("{}");

    EXPECT_THROW(region.publishRecord(std::string(kRecordCapacity + 1, 'x')), std::length_error);
    EXPECT_EQ(region.readRecord(), "{}");
}

TEST(SharedRegion, LockHeldByDeadProcessIsRecovered) {
    auto region = SharedRegion::create();
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        pthread_mutex_lock(&region.layout().record.mutex);
        ::_exit(0);  // Dies holding the lock, as a killed worker would.
    }
    ASSERT_EQ(::waitpid(child, nullptr, 0), child);

    region.publishRecord(R"({"after":true})");

    EXPECT_EQ(region.readRecord(), R"({"after":true})");
}

TEST(LatencyBucket, BoundsAreInclusive) {
    EXPECT_EQ(latencyBucket(0us), 0u);
    EXPECT_EQ(latencyBucket(500us), 0u);
    EXPECT_EQ(latencyBucket(501us), 1u);
    EXPECT_EQ(latencyBucket(10s), kLatencyBoundsMicros.size() - 1);
    EXPECT_EQ(latencyBucket(11s), kLatencyBoundsMicros.size());
}

}  // namespace
}  // namespace valhalla::host::shared
