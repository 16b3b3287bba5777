#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Data/Session.h>

#include <valhalla/sdk/database.hpp>

#include "item.hpp"
#include "item_sql.hpp"

namespace valhalla::plugins::items {

/// One page of items plus the number of all items.
struct ItemPage {
    std::vector<Item> items;
    std::int64_t total = 0;
};

/// Reads and writes items in one table through a session the caller lends for each
/// call, with SessionLease::read() and write(), so each statement is prepared once per
/// pooled connection. It keeps no session, so one store serves all request threads.
/// Every method lets Poco::Data exceptions through. The methods that run several
/// statements do so in an sdk::Transaction, which throws sdk::HttpError 503 when the
/// connection was replaced in between, and insert() also throws
/// DatabaseUnavailableError.
class ItemStore {
public:
    /// Throws std::invalid_argument for an unsupported connector. `table` must be a
    /// validated identifier.
    ItemStore(const std::string& connector, const std::string& table);

    /// Creates the table when it does not exist.
    void createTable(Poco::Data::Session& session) const;

    /// Inserts an item with created_at and updated_at set to now, and returns it as
    /// stored. Throws DatabaseUnavailableError when the connection was replaced between
    /// the INSERT and reading its id, which rolls the INSERT back.
    Item insert(sdk::SessionLease& lease, const ItemFields& fields) const;

    /// Returns the item with `id`, or std::nullopt when there is none.
    std::optional<Item> find(sdk::SessionLease& lease, std::int64_t id) const;

    /// Returns up to `limit` items ordered by id, skipping `offset`, and the total count,
    /// both read in one transaction.
    ItemPage list(sdk::SessionLease& lease, std::int64_t limit, std::int64_t offset) const;

    /// Sets the fields present in `patch` and updated_at, and returns the item as
    /// stored, or std::nullopt when there is no item with `id`. An empty patch changes
    /// nothing, not even updated_at.
    std::optional<Item> update(sdk::SessionLease& lease,
                               std::int64_t id,
                               const ItemPatch& patch) const;

    /// Replaces name, price and description. A description of std::nullopt stores NULL.
    std::optional<Item> replace(sdk::SessionLease& lease,
                                std::int64_t id,
                                const ItemFields& fields) const;

    /// Deletes the item and returns whether it existed.
    bool remove(sdk::SessionLease& lease, std::int64_t id) const;

private:
    ItemSql sql_;
};

}  // namespace valhalla::plugins::items
