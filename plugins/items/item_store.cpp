#include "item_store.hpp"

#include <stdexcept>

#include <Poco/Dynamic/Var.h>

#include <valhalla/sdk/query.hpp>
#include <valhalla/sdk/transaction.hpp>

#include "database_errors.hpp"
#include "price.hpp"
#include "timestamp.hpp"

namespace valhalla::plugins::items {

namespace {

using Poco::Data::Keywords::now;
using Poco::Dynamic::Var;

/// Parses a price read from the database, naming the item when the stored value is
/// not a valid price, such as a negative one written by another program.
std::int64_t storedPrice(const std::string& text, std::int64_t id) {
    try {
        return parsePriceText(text);
    } catch (const std::invalid_argument& error) {
        throw std::runtime_error("item " + std::to_string(id) + " has an invalid stored price '" +
                                 text + "': " + error.what());
    }
}

/// Builds an item from a row with the columns that ItemSql describes.
Item itemFromRow(const std::vector<Var>& row) {
    Item item;
    item.id = row.at(0).convert<Poco::Int64>();
    item.name = row.at(1).convert<std::string>();
    item.price_cents = storedPrice(row.at(2).convert<std::string>(), item.id);
    if (row.at(3).convert<int>() == 0) {
        item.description = row.at(4).convert<std::string>();
    }
    item.created_at = toIsoTimestamp(row.at(5).convert<std::string>());
    item.updated_at = toIsoTimestamp(row.at(6).convert<std::string>());
    return item;
}

/// Returns whether a row read in the bounded form has a longer stored description.
bool hasLongDescription(const std::vector<Var>& row) {
    return row.at(7).convert<int>() != 0;
}

/// Runs the bounded form of a select, and the whole form when a returned row has a
/// longer stored description, so that no text is ever cut.
sdk::QueryResult readItems(sdk::SessionLease& lease,
                           const std::string& bounded,
                           const std::string& whole,
                           const sdk::QueryParameters& parameters) {
    sdk::QueryResult result = lease.read(bounded, parameters);
    for (const auto& row : result.rows) {
        if (hasLongDescription(row)) {
            return lease.read(whole, parameters);
        }
    }
    return result;
}

std::vector<Item> itemsFromRows(const sdk::QueryResult& result) {
    std::vector<Item> items;
    items.reserve(result.rows.size());
    for (const auto& row : result.rows) {
        items.push_back(itemFromRow(row));
    }
    return items;
}

/// Returns the description as a query parameter: the text, or an empty Var for NULL.
Var descriptionParameter(const std::optional<std::string>& description) {
    return description ? Var(*description) : Var();
}

}  // namespace

ItemStore::ItemStore(const std::string& connector, const std::string& table)
    : sql_(connector, table) {}

void ItemStore::createTable(Poco::Data::Session& session) const {
    session << sql_.createTable(), now;
}

Item ItemStore::insert(sdk::SessionLease& lease, const ItemFields& fields) const {
    std::string timestamp = currentDatabaseTimestamp();

    sdk::Transaction transaction(lease);
    lease.write(sql_.insert(),
                {fields.name,
                 sql_.priceParameter(fields.price_cents),
                 descriptionParameter(fields.description),
                 timestamp,
                 timestamp});
    Poco::Int64 id = lease.read(sql_.lastInsertId()).rows.at(0).at(0).convert<Poco::Int64>();
    if (id == 0) {
        throw DatabaseUnavailableError("the database connection was replaced during the insert");
    }
    std::optional<Item> item = find(lease, id);
    transaction.commit();

    if (!item) {
        throw std::runtime_error("inserted item " + std::to_string(id) + " was not found");
    }
    return *item;
}

std::optional<Item> ItemStore::find(sdk::SessionLease& lease, std::int64_t id) const {
    sdk::QueryResult result = readItems(lease,
                                        sql_.selectOne(ItemSql::Description::Bounded),
                                        sql_.selectOne(ItemSql::Description::Whole),
                                        {Poco::Int64{id}});

    if (result.rows.empty()) {
        return std::nullopt;
    }
    return itemFromRow(result.rows.front());
}

ItemPage ItemStore::list(sdk::SessionLease& lease, std::int64_t limit, std::int64_t offset) const {
    sdk::Transaction transaction(lease);
    Poco::Int64 total = lease.read(sql_.count()).rows.at(0).at(0).convert<Poco::Int64>();
    sdk::QueryResult page = readItems(lease,
                                      sql_.selectPage(ItemSql::Description::Bounded),
                                      sql_.selectPage(ItemSql::Description::Whole),
                                      {Poco::Int64{limit}, Poco::Int64{offset}});
    transaction.commit();

    return ItemPage{itemsFromRows(page), total};
}

std::optional<Item> ItemStore::update(sdk::SessionLease& lease,
                                      std::int64_t id,
                                      const ItemPatch& patch) const {
    if (patch.empty()) {
        return find(lease, id);
    }
    sdk::QueryParameters parameters;
    if (patch.name) {
        parameters.emplace_back(*patch.name);
    }
    if (patch.price_cents) {
        parameters.emplace_back(sql_.priceParameter(*patch.price_cents));
    }
    if (patch.description) {
        parameters.push_back(descriptionParameter(*patch.description));
    }
    parameters.emplace_back(currentDatabaseTimestamp());
    parameters.emplace_back(Poco::Int64{id});

    sdk::Transaction transaction(lease);
    lease.write(sql_.update(patch), parameters);
    std::optional<Item> item = find(lease, id);
    transaction.commit();
    return item;
}

std::optional<Item> ItemStore::replace(sdk::SessionLease& lease,
                                       std::int64_t id,
                                       const ItemFields& fields) const {
    ItemPatch patch;
    patch.name = fields.name;
    patch.price_cents = fields.price_cents;
    patch.description = fields.description;
    return update(lease, id, patch);
}

bool ItemStore::remove(sdk::SessionLease& lease, std::int64_t id) const {
    return lease.write(sql_.remove(), {Poco::Int64{id}}).affected_rows > 0;
}

}  // namespace valhalla::plugins::items
