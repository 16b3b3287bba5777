#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "server/connection/connection.hpp"

namespace valhalla::host::server::connection {

/// Bounded queue of connections whose request head is complete, waiting for a
/// request thread. Thread-safe.
class RequestQueue {
public:
    explicit RequestQueue(std::size_t limit);
    ~RequestQueue();
    RequestQueue(const RequestQueue&) = delete;
    RequestQueue& operator=(const RequestQueue&) = delete;

    /// Appends a connection; returns false without queuing it when the queue is full
    /// or closed.
    bool push(Connection* connection);

    /// Removes the oldest connection, waiting while the queue is empty. Returns
    /// nullptr once the queue is closed and empty.
    Connection* pop();

    /// Returns whether no connection is waiting.
    bool empty() const;

    /// Removes and returns the connections queued before `cutoff`, oldest first.
    std::vector<Connection*> takeQueuedBefore(Clock::time_point cutoff);

    /// Returns whether more connections wait than request threads are idle in pop(),
    /// so a busy thread should give way to them.
    bool needsThread() const;

    /// Number of waiting connections.
    std::size_t size() const;

    /// Wakes every waiting pop; queued connections are still handed out.
    void close();

    /// A semaphore eventfd that counts connections pushed while no request thread was
    /// idle to take them and at least one thread watches. A request thread that waits on its own
    /// connection for the next request also polls it, so it can give way when another connection
    /// waits.
    int arrivalFd() const { return arrival_fd_; }

    /// Marks the calling thread as watching `arrivalFd()`; pair with endWatch().
    void beginWatch() { ++watchers_; }

    /// Ends a watch.
    void endWatch() { --watchers_; }

    /// Takes one arrival signal. Returns false when another watcher took it first,
    /// so only one waiting thread gives way per pushed connection.
    bool claimArrival();

private:
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Connection*> connections_;
    std::size_t limit_;
    bool closed_ = false;
    std::size_t idle_threads_ = 0;
    int arrival_fd_ = -1;
    std::atomic<int> watchers_{0};
};

}  // namespace valhalla::host::server::connection
