#pragma once

#include <string>
#include <string_view>

namespace valhalla::plugins::items {

/// The current UTC time as the database stores it: "YYYY-MM-DD HH:MM:SS.mmm". MySQL
/// reads this text into DATETIME(3) without a time zone conversion, and SQLite stores
/// it as TEXT.
std::string currentDatabaseTimestamp();

/// Converts a stored "YYYY-MM-DD HH:MM:SS[.fff...]" value into ISO 8601 UTC with
/// milliseconds, such as "2026-12-04T16:45:44.123Z". Throws std::invalid_argument
/// when the value has another shape.
std::string toIsoTimestamp(std::string_view stored);

}  // namespace valhalla::plugins::items
