#pragma once

#include <string>
#include <variant>
#include <vector>

#include <Poco/Data/Statement.h>
#include <Poco/Data/StatementImpl.h>
#include <Poco/Nullable.h>
#include <Poco/Types.h>

#include <valhalla/sdk/query.hpp>

#include "database/parameter_type.hpp"

namespace valhalla::host::database {

/// Storage of one placeholder's value. A NULL parameter is bound as a null
/// Poco::Nullable<std::string>, which MySQL and SQLite accept for any column type.
using ParameterSlot =
    std::variant<Poco::Nullable<std::string>, Poco::Int64, Poco::UInt64, double, bool, std::string>;

/// One statement prepared on one connection, together with the storage its
/// placeholders are bound to, so that it can run again with new values. On MySQL a
/// second run costs one round trip, because Poco keeps the server-side statement and
/// only executes it again.
///
/// The connection prepares the statement on the first execute(). After a statement
/// threw, Poco refuses to run it again ("Statement still executing"), so the owner must
/// destroy it. Not thread-safe.
class PreparedStatement {
public:
    /// Creates the statement from `implementation`, which a connection made, for `sql`
    /// with parameters of `signature` (as parameterSignature() returns it).
    PreparedStatement(Poco::Data::StatementImpl::Ptr implementation,
                      const std::string& sql,
                      const std::string& signature);

    PreparedStatement(const PreparedStatement&) = delete;
    PreparedStatement& operator=(const PreparedStatement&) = delete;

    /// Binds `parameters`, which must have the signature given to the constructor, runs
    /// the statement and copies its rows out. Lets the Poco::Data exception of a failed
    /// run through.
    sdk::QueryResult execute(const sdk::QueryParameters& parameters);

private:
    void assign(const sdk::QueryParameters& parameters);
    sdk::QueryResult collectRows(std::size_t count);

    // Poco's bindings refer to these values, so the vector is sized once and
    // execute() assigns new values in place.
    std::vector<ParameterSlot> slots_;
    Poco::Data::Statement statement_;
};

}  // namespace valhalla::host::database
