#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "database/prepared_statement.hpp"

namespace valhalla::host::database {

/// The prepared statements of one connection, keyed by SQL text and parameter
/// signature, holding at most `capacity` of them. The least recently used statement
/// goes first when a new one needs room. Not thread-safe: only the thread that leased
/// the session uses it.
class StatementCache {
public:
    /// A capacity of 0 keeps nothing, so every statement is prepared afresh.
    explicit StatementCache(std::size_t capacity) : capacity_(capacity) {}

    /// Returns the statement stored under `key` and marks it as the most recently used,
    /// or nullptr when there is none.
    PreparedStatement* find(const std::string& key);

    /// Stores `statement` under `key`, which must not be stored yet, and drops the least
    /// recently used statement when the cache is full. Destroys `statement` at once
    /// when the capacity is 0.
    void insert(const std::string& key, std::unique_ptr<PreparedStatement> statement);

    /// Drops the statement stored under `key`, if any.
    void erase(const std::string& key);

    /// Drops every statement.
    void clear();

    std::size_t size() const { return entries_.size(); }

    std::size_t capacity() const { return capacity_; }

private:
    using Entry = std::pair<std::string, std::unique_ptr<PreparedStatement>>;

    std::size_t capacity_;
    // Most recently used first.
    std::list<Entry> entries_;
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace valhalla::host::database
