#include "database/session_connectors.hpp"

#include <atomic>
#include <utility>

#include <Poco/Data/Connector.h>
#include <Poco/Data/SessionFactory.h>

#include "database/mysql_session.hpp"
#include "database/sqlite_session.hpp"

namespace valhalla::host::database {

namespace {

/// A connector that creates `Session` objects with the options it was given.
template <typename Session>
class OwningConnector : public Poco::Data::Connector {
public:
    OwningConnector(std::string name, QueryRunnerOptions options)
        : name_(std::move(name)), options_(std::move(options)) {}

    const std::string& name() const override { return name_; }

    Poco::AutoPtr<Poco::Data::SessionImpl> createSession(const std::string& connection_string,
                                                         std::size_t timeout) override {
        return new Session(connection_string, timeout, options_);
    }

private:
    std::string name_;
    QueryRunnerOptions options_;
};

std::string uniqueSuffix() {
    static std::atomic<unsigned> counter{0};
    return std::to_string(counter.fetch_add(1) + 1);
}

}  // namespace

SessionConnectors::SessionConnectors(const QueryRunnerOptions& mysql_options,
                                     const QueryRunnerOptions& sqlite_options) {
    std::string suffix = uniqueSuffix();
    mysql_name_ = "valhalla-mysql-" + suffix;
    sqlite_name_ = "valhalla-sqlite-" + suffix;
    auto& factory = Poco::Data::SessionFactory::instance();
    factory.add(new OwningConnector<MysqlSession>(mysql_name_, mysql_options));
    factory.add(new OwningConnector<SqliteSession>(sqlite_name_, sqlite_options));
}

SessionConnectors::~SessionConnectors() {
    auto& factory = Poco::Data::SessionFactory::instance();
    factory.remove(mysql_name_);
    factory.remove(sqlite_name_);
}

}  // namespace valhalla::host::database
