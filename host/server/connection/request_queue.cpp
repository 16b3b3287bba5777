#include "server/connection/request_queue.hpp"

namespace valhalla::host::server::connection {

bool RequestQueue::push(Connection* connection) {
    {
        std::lock_guard lock(mutex_);
        if (closed_ || connections_.size() >= limit_) {
            return false;
        }
        connections_.push_back(connection);
    }
    ready_.notify_one();
    return true;
}

Connection* RequestQueue::pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return closed_ || !connections_.empty(); });
    if (connections_.empty()) {
        return nullptr;
    }
    Connection* connection = connections_.front();
    connections_.pop_front();
    return connection;
}

bool RequestQueue::empty() const {
    std::lock_guard lock(mutex_);
    return connections_.empty();
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
