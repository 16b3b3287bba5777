#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <Poco/Dynamic/Var.h>

#include <valhalla/sdk/export.hpp>

namespace valhalla::sdk {

/// Values bound to the `?` placeholders of a statement, in order. Each value is an
/// integer, a bool, a float or double, a std::string or string literal, or an empty
/// Var for NULL. Any other type makes the call throw std::invalid_argument.
using QueryParameters = std::vector<Poco::Dynamic::Var>;

/// Result of SessionLease::read() or SessionLease::write().
struct QueryResult {
    /// Rows of the result set in order, each with one value per column, typed by the
    /// column: an integer type of the column's size, std::string, double for MySQL
    /// DECIMAL, Poco::Data::Date for DATE, Poco::DateTime for DATETIME, and
    /// Poco::Data::BLOB for BLOB and MySQL TEXT. A NULL is an empty Var. convert() turns
    /// each of them into std::string. Cast a DECIMAL or DATETIME column to CHAR in the
    /// SQL to read it as exact text.
    ///
    /// NOTE: Poco 1.11 sizes MySQL result buffers from the types the server reports when
    /// it prepares the statement. A column computed from a parameter, such as `SELECT ?
    /// + 1` or `CAST(? AS CHAR)`, gets its final type only at execution. Its value may
    /// arrive truncated, and `CAST(? AS CHAR)` crashed the worker in Poco's extractor.
    /// Select table columns and use parameters in WHERE, VALUES and SET. A column that is always
    /// NULL, such as `SELECT NULL`, fails with "unknown field type".
    ///
    /// NOTE: Poco also zero-fills a result buffer of each column's declared maximum size
    /// before every execution: 256 KiB for a utf8mb4 TEXT column and 1 MiB for
    /// COALESCE over one. Where the text length is bounded, read it as CAST(... AS
    /// CHAR(n)), which declares 4 x n bytes.
    std::vector<std::vector<Poco::Dynamic::Var>> rows;

    /// Rows that a write changed, or the number of rows that a read returned.
    std::size_t affected_rows = 0;
};

namespace detail {

/// Whether a statement may run a second time after the connection was lost.
enum class StatementKind {
    /// Changes nothing, so it runs again once after a lost connection.
    Read,
    /// May change data, so it never runs again by itself.
    Write,
};

/// Runs statements on one connection of the host's pool. The host implements it and
/// owns it together with the connection. SessionLease::read() and write() reach it
/// through the session property kStatementRunnerProperty. Only the thread that leased
/// the session uses it.
class VALHALLA_SDK_API StatementRunner {
public:
    /// Runs `sql` with `parameters` and returns its rows. Throws the Poco::Data
    /// exception of the failed statement, and std::invalid_argument for a parameter
    /// of an unsupported type.
    virtual QueryResult run(const std::string& sql,
                            const QueryParameters& parameters,
                            StatementKind kind) = 0;

protected:
    ~StatementRunner() = default;
};

/// Name of the session property whose value is the StatementRunner* of a session that
/// the host's pool created.
inline constexpr const char* kStatementRunnerProperty = "valhalla.statement_runner";

}  // namespace detail

}  // namespace valhalla::sdk
