#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

#include "server/connection/connection.hpp"

namespace valhalla::host::server::connection {

/// Bounded queue of connections whose request head is complete, waiting for a
/// request thread. Thread-safe.
class RequestQueue {
public:
    explicit RequestQueue(std::size_t limit) : limit_(limit) {}

    /// Appends a connection; returns false without queuing it when the queue is full
    /// or closed.
    bool push(Connection* connection);

    /// Removes the oldest connection, waiting while the queue is empty. Returns
    /// nullptr once the queue is closed and empty.
    Connection* pop();

    /// Returns whether no connection is waiting.
    bool empty() const;

    /// Number of waiting connections.
    std::size_t size() const;

    /// Wakes every waiting pop; queued connections are still handed out.
    void close();

private:
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Connection*> connections_;
    std::size_t limit_;
    bool closed_ = false;
};

}  // namespace valhalla::host::server::connection
