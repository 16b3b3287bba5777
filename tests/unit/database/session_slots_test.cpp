#include "database/session_slots.hpp"

#include <chrono>
#include <future>

#include <gtest/gtest.h>

namespace valhalla::host::database {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(SessionSlots, GivesOutAsManySlotsAsItHas) {
    SessionSlots slots(2);

    EXPECT_TRUE(slots.tryTake());
    EXPECT_TRUE(slots.tryTake());
    EXPECT_FALSE(slots.tryTake());
    slots.give();
    EXPECT_TRUE(slots.tryTake());
}

TEST(SessionSlots, TakeWaitsUntilTheTimeout) {
    SessionSlots slots(0);

    auto started = steady_clock::now();
    bool acquired = slots.take(milliseconds(150));
    auto waited = steady_clock::now() - started;

    EXPECT_FALSE(acquired);
    EXPECT_GE(waited, milliseconds(150));
    EXPECT_LT(waited, milliseconds(2000));
}

TEST(SessionSlots, GiveWakesAWaiter) {
    SessionSlots slots(0);
    auto waiter =
        std::async(std::launch::async, [&slots] { return slots.take(milliseconds(10000)); });

    ASSERT_EQ(waiter.wait_for(milliseconds(100)), std::future_status::timeout);
    auto released_at = steady_clock::now();
    slots.give();

    EXPECT_TRUE(waiter.get());
    EXPECT_LT(steady_clock::now() - released_at, milliseconds(2000));
    EXPECT_FALSE(slots.tryTake());
}

}  // namespace
}  // namespace valhalla::host::database
