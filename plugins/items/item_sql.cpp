#include "item_sql.hpp"

#include <stdexcept>

#include "price.hpp"

namespace valhalla::plugins::items {

namespace {

std::string mysqlCreateTable(const std::string& table) {
    return "CREATE TABLE IF NOT EXISTS " + table +
           " (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
           " name VARCHAR(200) NOT NULL,"
           " price DECIMAL(10,2) NOT NULL,"
           " description TEXT NULL,"
           " created_at DATETIME(3) NOT NULL,"
           " updated_at DATETIME(3) NOT NULL)"
           " ENGINE=InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
}

// SQLite keeps the price as INTEGER cents, because its REAL type cannot hold every
// DECIMAL(10,2) value exactly. AUTOINCREMENT keeps ids of deleted items from coming back.
std::string sqliteCreateTable(const std::string& table) {
    return "CREATE TABLE IF NOT EXISTS " + table +
           " (id INTEGER PRIMARY KEY AUTOINCREMENT,"
           " name TEXT NOT NULL,"
           " price INTEGER NOT NULL,"
           " description TEXT NULL,"
           " created_at TEXT NOT NULL,"
           " updated_at TEXT NOT NULL)";
}

// CAST(... AS CHAR) reads DECIMAL and DATETIME(3) exactly, and the NULL flag plus
// COALESCE avoid extracting a NULL, which Poco's MySQL connector cannot do into a
// Nullable<std::string>.
const char* const kMysqlColumns =
    "id, name, CAST(price AS CHAR), description IS NULL, COALESCE(description, ''),"
    " CAST(created_at AS CHAR), CAST(updated_at AS CHAR)";

const char* const kSqliteColumns =
    "id, name, printf('%d.%02d', price / 100, price % 100), description IS NULL,"
    " COALESCE(description, ''), created_at, updated_at";

}  // namespace

ItemSql::ItemSql(const std::string& connector, const std::string& table)
    : mysql_(connector == "mysql"), table_(table) {
    if (connector != "mysql" && connector != "sqlite") {
        throw std::invalid_argument("unsupported database connector '" + connector +
                                    "': expected mysql or sqlite");
    }
    std::string columns = mysql_ ? kMysqlColumns : kSqliteColumns;
    price_placeholder_ = mysql_ ? "?" : "CAST(? AS INTEGER)";
    create_table_ = mysql_ ? mysqlCreateTable(table) : sqliteCreateTable(table);
    insert_ = "INSERT INTO " + table +
              " (name, price, description, created_at, updated_at) VALUES (?, " +
              price_placeholder_ + ", ?, ?, ?)";
    last_insert_id_ = mysql_ ? "SELECT LAST_INSERT_ID()" : "SELECT last_insert_rowid()";
    select_one_ = "SELECT " + columns + " FROM " + table + " WHERE id = ?";
    select_page_ = "SELECT " + columns + " FROM " + table + " ORDER BY id LIMIT ? OFFSET ?";
    count_ = "SELECT COUNT(*) FROM " + table;
    remove_ = "DELETE FROM " + table + " WHERE id = ?";
}

std::string ItemSql::update(const ItemPatch& patch) const {
    std::string sql = "UPDATE " + table_ + " SET ";
    if (patch.name) {
        sql += "name = ?, ";
    }
    if (patch.price_cents) {
        sql += "price = " + price_placeholder_ + ", ";
    }
    if (patch.description) {
        sql += "description = ?, ";
    }
    return sql + "updated_at = ? WHERE id = ?";
}

std::string ItemSql::priceParameter(std::int64_t cents) const {
    return mysql_ ? formatPrice(cents) : std::to_string(cents);
}

}  // namespace valhalla::plugins::items
