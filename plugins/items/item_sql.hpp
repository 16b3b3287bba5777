#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "item.hpp"

namespace valhalla::plugins::items {

/// SQL of every statement the item store runs, for one connector and table. This is the
/// only place that differs between MySQL/MariaDB and SQLite.
///
/// Every select returns these columns in order: id, name, the price as text with two
/// decimals, 1 when the description is NULL, the description ('' for NULL),
/// created_at and updated_at as "YYYY-MM-DD HH:MM:SS.mmm" text, and 1 when the stored
/// description is longer than kMaxDescriptionLength. Prices are bound as the text that
/// priceParameter() returns.
class ItemSql {
public:
    /// The form in which a select reads the description.
    enum class Description {
        /// At most kMaxDescriptionLength code points, which keeps MySQL result buffers
        /// small. A row whose last column is 1 has a longer stored description.
        Bounded,
        /// The whole stored text.
        Whole,
    };

    /// Throws std::invalid_argument for a connector other than "mysql" or "sqlite". The
    /// table name must already be a validated identifier, because it is written into
    /// the SQL text.
    ItemSql(const std::string& connector, const std::string& table);

    /// CREATE TABLE IF NOT EXISTS for the items table.
    const std::string& createTable() const { return create_table_; }

    /// INSERT binding name, price, description, created_at and updated_at.
    const std::string& insert() const { return insert_; }

    /// Returns the id that the last INSERT on the same connection generated.
    const std::string& lastInsertId() const { return last_insert_id_; }

    /// Selects one item, binding its id.
    const std::string& selectOne(Description description) const {
        return select_one_[static_cast<std::size_t>(description)];
    }

    /// Selects a page of items ordered by id, binding limit and offset.
    const std::string& selectPage(Description description) const {
        return select_page_[static_cast<std::size_t>(description)];
    }

    /// Counts all items.
    const std::string& count() const { return count_; }

    /// Deletes one item, binding its id.
    const std::string& remove() const { return remove_; }

    /// UPDATE that sets the patched columns and updated_at, binding the present fields
    /// of `patch` in the order name, price, description, then updated_at and id.
    std::string update(const ItemPatch& patch) const;

    /// Text to bind for a price: the decimal for MySQL's DECIMAL(10,2) column, the
    /// whole number of cents for SQLite's INTEGER column.
    std::string priceParameter(std::int64_t cents) const;

private:
    bool mysql_;
    std::string table_;
    std::string price_placeholder_;
    std::string create_table_;
    std::string insert_;
    std::string last_insert_id_;
    std::array<std::string, 2> select_one_;
    std::array<std::string, 2> select_page_;
    std::string count_;
    std::string remove_;
};

}  // namespace valhalla::plugins::items
