#include "database/tuned_session_pool.hpp"

namespace valhalla::host::database {

namespace {

// Sessions idle longer than this are closed by the pool's janitor, down to one.
constexpr int kIdleSeconds = 60;

}  // namespace

TunedSessionPool::TunedSessionPool(const std::string& connector,
                                   const std::string& connection_string,
                                   int max_sessions)
    : Poco::Data::SessionPool(connector, connection_string, 1, max_sessions, kIdleSeconds) {}

void TunedSessionPool::customizeSession(Poco::Data::Session& session) {
    using Poco::Data::Keywords::now;
    if (session.connector() == "sqlite") {
        session << "PRAGMA journal_mode=WAL", now;
        session << "PRAGMA busy_timeout=5000", now;
        session << "PRAGMA foreign_keys=ON", now;
        return;
    }
    // NOTE: auto-reconnect opens a fresh connection without these settings; a
    // reconnected session runs with the server's defaults until the pool replaces it.
    session << "SET time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'", now;
}

}  // namespace valhalla::host::database
