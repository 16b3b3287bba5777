#pragma once

#include <atomic>
#include <mutex>

#include <Poco/Data/Session.h>

#include "item_store.hpp"

namespace valhalla::plugins::items {

/// Creates the items table once per process. The database may be down when the plugin
/// starts, so every request that needs the table calls ensureCreated() until one call
/// succeeds. Thread-safe.
class TableInitializer {
public:
    explicit TableInitializer(const ItemStore& store) : store_(store) {}

    /// Creates the table unless an earlier call succeeded. After a success a call costs
    /// one atomic load. Lets the database exception through when creation fails, so the
    /// next call tries again.
    void ensureCreated(Poco::Data::Session& session);

    /// Whether the table has been created or found.
    bool isCreated() const { return created_.load(std::memory_order_acquire); }

private:
    const ItemStore& store_;
    std::atomic<bool> created_{false};
    std::mutex mutex_;
};

}  // namespace valhalla::plugins::items
