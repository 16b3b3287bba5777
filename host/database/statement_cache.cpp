#include "database/statement_cache.hpp"

namespace valhalla::host::database {

PreparedStatement* StatementCache::find(const std::string& key) {
    auto found = index_.find(key);
    if (found == index_.end()) {
        return nullptr;
    }
    entries_.splice(entries_.begin(), entries_, found->second);
    return found->second->second.get();
}

void StatementCache::insert(const std::string& key, std::unique_ptr<PreparedStatement> statement) {
    if (capacity_ == 0) {
        return;
    }
    if (entries_.size() >= capacity_) {
        index_.erase(entries_.back().first);
        entries_.pop_back();
    }
    entries_.emplace_front(key, std::move(statement));
    index_[key] = entries_.begin();
}

void StatementCache::erase(const std::string& key) {
    auto found = index_.find(key);
    if (found == index_.end()) {
        return;
    }
    entries_.erase(found->second);
    index_.erase(found);
}

void StatementCache::clear() {
    index_.clear();
    entries_.clear();
}

}  // namespace valhalla::host::database
