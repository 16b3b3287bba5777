#include "table_initializer.hpp"

namespace valhalla::plugins::items {

void TableInitializer::ensureCreated(Poco::Data::Session& session) {
    if (isCreated()) {
        return;
    }
    std::lock_guard lock(mutex_);
    if (isCreated()) {
        return;
    }
    store_.createTable(session);
    created_.store(true, std::memory_order_release);
}

}  // namespace valhalla::plugins::items
