#include "item_store.hpp"

#include <stdexcept>

#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Nullable.h>
#include <Poco/Types.h>

#include "database_errors.hpp"
#include "price.hpp"
#include "timestamp.hpp"

namespace valhalla::plugins::items {

namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

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

/// Result columns of the item selects, one vector per column.
struct ItemRows {
    std::vector<Poco::Int64> ids;
    std::vector<std::string> names;
    std::vector<std::string> prices;
    std::vector<int> description_nulls;
    std::vector<std::string> descriptions;
    std::vector<std::string> created;
    std::vector<std::string> updated;

    void bindTo(Poco::Data::Statement& statement) {
        statement, into(ids), into(names), into(prices), into(description_nulls),
            into(descriptions), into(created), into(updated);
    }

    Item at(std::size_t row) const {
        Item item;
        item.id = ids[row];
        item.name = names[row];
        item.price_cents = storedPrice(prices[row], item.id);
        if (description_nulls[row] == 0) {
            item.description = descriptions[row];
        }
        item.created_at = toIsoTimestamp(created[row]);
        item.updated_at = toIsoTimestamp(updated[row]);
        return item;
    }

    std::vector<Item> items() const {
        std::vector<Item> result;
        result.reserve(ids.size());
        for (std::size_t row = 0; row < ids.size(); ++row) {
            result.push_back(at(row));
        }
        return result;
    }
};

Poco::Nullable<std::string> toNullable(const std::optional<std::string>& value) {
    if (value) {
        return Poco::Nullable<std::string>(*value);
    }
    return Poco::Nullable<std::string>();
}

}  // namespace

ItemStore::ItemStore(const std::string& connector, const std::string& table)
    : sql_(connector, table) {}

void ItemStore::createTable(Poco::Data::Session& session) const {
    session << sql_.createTable(), now;
}

Item ItemStore::insert(Poco::Data::Session& session, const ItemFields& fields) const {
    std::string name = fields.name;
    std::string price = sql_.priceParameter(fields.price_cents);
    Poco::Nullable<std::string> description = toNullable(fields.description);
    std::string timestamp = currentDatabaseTimestamp();
    Poco::Int64 id = 0;

    Poco::Data::Transaction transaction(session);
    session << sql_.insert(), use(name), use(price), use(description), use(timestamp),
        use(timestamp), now;
    session << sql_.lastInsertId(), into(id), now;
    if (id == 0) {
        throw DatabaseUnavailableError("the database connection was replaced during the insert");
    }
    std::optional<Item> item = find(session, id);
    transaction.commit();

    if (!item) {
        throw std::runtime_error("inserted item " + std::to_string(id) + " was not found");
    }
    return *item;
}

std::optional<Item> ItemStore::find(Poco::Data::Session& session, std::int64_t id) const {
    Poco::Int64 key = id;
    ItemRows rows;
    Poco::Data::Statement statement(session);
    statement << sql_.selectOne();
    rows.bindTo(statement);
    statement, use(key);
    statement.execute();

    if (rows.ids.empty()) {
        return std::nullopt;
    }
    return rows.at(0);
}

ItemPage ItemStore::list(Poco::Data::Session& session,
                         std::int64_t limit,
                         std::int64_t offset) const {
    Poco::Int64 row_limit = limit;
    Poco::Int64 row_offset = offset;
    Poco::Int64 total = 0;
    ItemRows rows;

    Poco::Data::Transaction transaction(session);
    session << sql_.count(), into(total), now;
    Poco::Data::Statement statement(session);
    statement << sql_.selectPage();
    rows.bindTo(statement);
    statement, use(row_limit), use(row_offset);
    statement.execute();
    transaction.commit();

    return ItemPage{rows.items(), total};
}

std::optional<Item> ItemStore::update(Poco::Data::Session& session,
                                      std::int64_t id,
                                      const ItemPatch& patch) const {
    if (patch.empty()) {
        return find(session, id);
    }
    std::string name = patch.name.value_or("");
    std::string price = sql_.priceParameter(patch.price_cents.value_or(0));
    Poco::Nullable<std::string> description = toNullable(patch.description.value_or(std::nullopt));
    std::string timestamp = currentDatabaseTimestamp();
    Poco::Int64 key = id;

    Poco::Data::Transaction transaction(session);
    Poco::Data::Statement statement(session);
    statement << sql_.update(patch);
    if (patch.name) {
        statement, use(name);
    }
    if (patch.price_cents) {
        statement, use(price);
    }
    if (patch.description) {
        statement, use(description);
    }
    statement, use(timestamp), use(key);
    statement.execute();
    std::optional<Item> item = find(session, id);
    transaction.commit();
    return item;
}

std::optional<Item> ItemStore::replace(Poco::Data::Session& session,
                                       std::int64_t id,
                                       const ItemFields& fields) const {
    ItemPatch patch;
    patch.name = fields.name;
    patch.price_cents = fields.price_cents;
    patch.description = fields.description;
    return update(session, id, patch);
}

bool ItemStore::remove(Poco::Data::Session& session, std::int64_t id) const {
    Poco::Int64 key = id;
    Poco::Data::Statement statement(session);
    statement << sql_.remove(), use(key);
    return statement.execute() > 0;
}

}  // namespace valhalla::plugins::items
