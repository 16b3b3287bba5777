#pragma once

#include <string>

#include "database/query_runner.hpp"

namespace valhalla::host::database {

/// Registers, for the lifetime of this object, Poco::Data connectors under names of
/// its own that create MysqlSession and SqliteSession objects instead of Poco's plain
/// sessions. A SessionPool opened with one of these names therefore lends connections
/// that own their QueryRunner. Each object registers unique names, so two pools in one
/// process can use different options.
class SessionConnectors {
public:
    /// Registers the connectors. Poco's own MySQL and SQLite connectors must already be
    /// registered, because this relies on the client libraries they initialize.
    /// `mysql_options` and `sqlite_options` go to every session they create.
    SessionConnectors(const QueryRunnerOptions& mysql_options,
                      const QueryRunnerOptions& sqlite_options);

    /// Unregisters the connectors. Sessions they created stay usable.
    ~SessionConnectors();

    SessionConnectors(const SessionConnectors&) = delete;
    SessionConnectors& operator=(const SessionConnectors&) = delete;

    /// Connector name for SessionPool that creates MysqlSession objects.
    const std::string& mysql() const { return mysql_name_; }

    /// Connector name for SessionPool that creates SqliteSession objects.
    const std::string& sqlite() const { return sqlite_name_; }

private:
    std::string mysql_name_;
    std::string sqlite_name_;
};

}  // namespace valhalla::host::database
