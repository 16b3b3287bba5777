#include "server/connection/request_queue.hpp"

#include <cstdint>

#include <sys/eventfd.h>
#include <unistd.h>

namespace valhalla::host::server::connection {

RequestQueue::RequestQueue(std::size_t limit)
    : limit_(limit), arrival_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC | EFD_SEMAPHORE)) {}

RequestQueue::~RequestQueue() {
    if (arrival_fd_ >= 0) {
        ::close(arrival_fd_);
    }
}

bool RequestQueue::push(Connection* connection) {
    bool waiting_without_thread = false;
    {
        std::lock_guard lock(mutex_);
        if (closed_ || connections_.size() >= limit_) {
            return false;
        }
        connections_.push_back(connection);
        waiting_without_thread = connections_.size() > idle_threads_;
    }
    ready_.notify_one();
    if (waiting_without_thread && watchers_.load() > 0) {
        std::uint64_t one = 1;
        [[maybe_unused]] auto written = ::write(arrival_fd_, &one, sizeof(one));
    }
    return true;
}

bool RequestQueue::claimArrival() {
    std::uint64_t value = 0;
    return ::read(arrival_fd_, &value, sizeof(value)) == sizeof(value);
}

Connection* RequestQueue::pop() {
    std::unique_lock lock(mutex_);
    ++idle_threads_;
    ready_.wait(lock, [this] { return closed_ || !connections_.empty(); });
    --idle_threads_;
    if (connections_.empty()) {
        return nullptr;
    }
    Connection* connection = connections_.front();
    connections_.pop_front();
    return connection;
}

std::vector<Connection*> RequestQueue::takeQueuedBefore(Clock::time_point cutoff) {
    std::vector<Connection*> expired;
    std::lock_guard lock(mutex_);
    // The queue is in arrival order, so the expired connections are at the front.
    while (!connections_.empty() && connections_.front()->queued_at < cutoff) {
        expired.push_back(connections_.front());
        connections_.pop_front();
    }
    return expired;
}

bool RequestQueue::empty() const {
    std::lock_guard lock(mutex_);
    return connections_.empty();
}

bool RequestQueue::needsThread() const {
    std::lock_guard lock(mutex_);
    return connections_.size() > idle_threads_;
}

std::size_t RequestQueue::size() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
}

void RequestQueue::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    ready_.notify_all();
}

}  // namespace valhalla::host::server::connection
