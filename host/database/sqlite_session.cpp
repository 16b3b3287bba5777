#include "database/sqlite_session.hpp"

#include <valhalla/sdk/query.hpp>

namespace valhalla::host::database {

SqliteSession::SqliteSession(const std::string& file_name,
                             std::size_t login_timeout,
                             const QueryRunnerOptions& options)
    : Poco::Data::SQLite::SessionImpl(file_name, login_timeout),
      runner_(
          *this, [] { return std::uint64_t{0}; }, options) {}

Poco::Any SqliteSession::getProperty(const std::string& name) {
    if (name == sdk::detail::kStatementRunnerProperty) {
        return static_cast<sdk::detail::StatementRunner*>(&runner_);
    }
    return Poco::Data::SQLite::SessionImpl::getProperty(name);
}

void SqliteSession::close() {
    runner_.clear();
    Poco::Data::SQLite::SessionImpl::close();
}

}  // namespace valhalla::host::database
