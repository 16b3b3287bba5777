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
//
// Poco sizes and zero-fills a result buffer as large as the column's declared maximum
// before every execution: 1 MiB for COALESCE over a utf8mb4 TEXT column, which cost
// about a fifth of the CPU time of a read. The bounded form casts the description to
// CHAR(kMaxDescriptionLength), 40 KB, and flags a longer stored description. Only
// another program can store one, and the store then reads that row again in full.
std::string mysqlColumns(ItemSql::Description description) {
    std::string bound = std::to_string(kMaxDescriptionLength);
    std::string text = description == ItemSql::Description::Bounded
                           ? "CAST(COALESCE(description, '') AS CHAR(" + bound + "))"
                           : "COALESCE(description, '')";
    return "id, name, CAST(price AS CHAR), description IS NULL, " + text +
           ", CAST(created_at AS CHAR), CAST(updated_at AS CHAR),"
           " COALESCE(CHAR_LENGTH(description), 0) > " +
           bound;
}

// SQLite has no such buffers, so both forms read the whole description.
std::string sqliteColumns() {
    return "id, name, printf('%d.%02d', price / 100, price % 100), description IS NULL,"
           " COALESCE(description, ''), created_at, updated_at, 0";
}

}  // namespace

ItemSql::ItemSql(const std::string& connector, const std::string& table)
    : mysql_(connector == "mysql"),
      table_(table),
      price_placeholder_(mysql_ ? "?" : "CAST(? AS INTEGER)") {
    if (connector != "mysql" && connector != "sqlite") {
        throw std::invalid_argument("unsupported database connector '" + connector +
                                    "': expected mysql or sqlite");
    }
    create_table_ = mysql_ ? mysqlCreateTable(table) : sqliteCreateTable(table);
    insert_ = "INSERT INTO " + table +
              " (name, price, description, created_at, updated_at) VALUES (?, " +
              price_placeholder_ + ", ?, ?, ?)";
    last_insert_id_ = mysql_ ? "SELECT LAST_INSERT_ID()" : "SELECT last_insert_rowid()";
    for (Description description : {Description::Bounded, Description::Whole}) {
        std::string columns = mysql_ ? mysqlColumns(description) : sqliteColumns();
        auto index = static_cast<std::size_t>(description);
        select_one_[index] = "SELECT " + columns + " FROM " + table + " WHERE id = ?";
        select_page_[index] =
            "SELECT " + columns + " FROM " + table + " ORDER BY id LIMIT ? OFFSET ?";
    }
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
