#include "server/current_request.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

namespace valhalla::host::server {

namespace {

using Clock = std::chrono::steady_clock;

/// The running handler of one thread. `started` is 0 while none runs. Other threads
/// copy the description under `mutex`; the owning thread's crash handler reads it
/// without, because the thread itself is the only writer.
struct ThreadRequest {
    std::atomic<std::int64_t> started{0};
    std::mutex mutex;
    char description[384] = {};
    std::size_t length = 0;

    ThreadRequest();
    ~ThreadRequest();
};

std::mutex& registryMutex() {
    static std::mutex mutex;
    return mutex;
}

std::vector<ThreadRequest*>& registry() {
    static std::vector<ThreadRequest*> threads;
    return threads;
}

ThreadRequest::ThreadRequest() {
    std::lock_guard lock(registryMutex());
    registry().push_back(this);
}

ThreadRequest::~ThreadRequest() {
    std::lock_guard lock(registryMutex());
    auto& threads = registry();
    threads.erase(std::remove(threads.begin(), threads.end(), this), threads.end());
}

// The calling thread's record once it has one. A pointer needs no dynamic
// initialization, so a signal handler can read it without running the record's
// constructor, which allocates.
thread_local ThreadRequest* registered = nullptr;

ThreadRequest& threadRequest() {
    thread_local ThreadRequest request;
    registered = &request;
    return request;
}

std::size_t append(char* buffer, std::size_t size, std::size_t at, std::string_view text) {
    std::size_t count = std::min(text.size(), size > at ? size - at : 0);
    std::memcpy(buffer + at, text.data(), count);
    return at + count;
}

std::int64_t nowNanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

}  // namespace

CurrentRequest::CurrentRequest(std::string_view plugin,
                               std::string_view route,
                               std::string_view request_id) {
    ThreadRequest& current = threadRequest();
    std::lock_guard lock(current.mutex);
    char* text = current.description;
    std::size_t size = sizeof(current.description);
    std::size_t at = append(text, size, 0, "plugin=");
    at = append(text, size, at, plugin);
    at = append(text, size, at, " route=");
    at = append(text, size, at, route);
    at = append(text, size, at, " request_id=");
    at = append(text, size, at, request_id);
    current.length = at;
    current.started.store(std::max<std::int64_t>(1, nowNanos()), std::memory_order_release);
}

CurrentRequest::~CurrentRequest() {
    threadRequest().started.store(0, std::memory_order_release);
}

std::size_t describeCurrentRequest(char* buffer, std::size_t size) {
    ThreadRequest* current = registered;
    if (current == nullptr || current->started.load(std::memory_order_acquire) == 0) {
        return 0;
    }
    std::size_t length = std::min(current->length, size);
    std::memcpy(buffer, current->description, length);
    return length;
}

std::vector<LongRequest> requestsRunningLongerThan(std::chrono::milliseconds limit) {
    std::vector<LongRequest> found;
    std::int64_t now = nowNanos();
    std::lock_guard lock(registryMutex());
    for (ThreadRequest* thread : registry()) {
        std::int64_t started = thread->started.load(std::memory_order_acquire);
        auto elapsed = std::chrono::nanoseconds(now - started);
        if (started == 0 || elapsed <= limit) {
            continue;
        }
        std::string description;
        {
            std::lock_guard thread_lock(thread->mutex);
            description.assign(thread->description, thread->length);
        }
        // The handler may have ended before the text was copied; then it is not stuck.
        if (thread->started.load(std::memory_order_acquire) != started) {
            continue;
        }
        found.push_back({std::move(description),
                         std::chrono::duration_cast<std::chrono::milliseconds>(elapsed)});
    }
    return found;
}

}  // namespace valhalla::host::server
