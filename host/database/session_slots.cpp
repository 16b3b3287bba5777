#include "database/session_slots.hpp"

#include <cerrno>
#include <ctime>
#include <stdexcept>
#include <string>
#include <system_error>

namespace valhalla::host::database {

namespace {

timespec monotonicDeadline(std::chrono::milliseconds timeout) {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    auto nanoseconds = static_cast<long long>(now.tv_nsec) +
                       std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    timespec deadline{};
    deadline.tv_sec = now.tv_sec + static_cast<time_t>(nanoseconds / 1000000000);
    deadline.tv_nsec = static_cast<long>(nanoseconds % 1000000000);
    return deadline;
}

}  // namespace

SessionSlots::SessionSlots(unsigned count) {
    if (::sem_init(&semaphore_, 0, count) != 0) {
        throw std::system_error(errno,
                                std::generic_category(),
                                "cannot create the session counter for a pool of " +
                                    std::to_string(count) + " sessions");
    }
}

SessionSlots::~SessionSlots() {
    ::sem_destroy(&semaphore_);
}

bool SessionSlots::tryTake() {
    while (::sem_trywait(&semaphore_) != 0) {
        if (errno != EINTR) {
            return false;
        }
    }
    return true;
}

bool SessionSlots::take(std::chrono::milliseconds timeout) {
    timespec deadline = monotonicDeadline(timeout);
    while (::sem_clockwait(&semaphore_, CLOCK_MONOTONIC, &deadline) != 0) {
        if (errno != EINTR) {
            return false;
        }
    }
    return true;
}

void SessionSlots::give() {
    ::sem_post(&semaphore_);
}

}  // namespace valhalla::host::database
