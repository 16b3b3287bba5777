#include "database/mysql_session.hpp"

#include <Poco/Data/MySQL/MySQLException.h>
#include <Poco/Exception.h>

#include <valhalla/sdk/query.hpp>

namespace valhalla::host::database {

namespace {

using Poco::Data::MySQL::TransactionException;

}  // namespace

MysqlSession::MysqlSession(const std::string& connection_string,
                           std::size_t login_timeout,
                           const QueryRunnerOptions& options)
    : Poco::Data::MySQL::SessionImpl(connection_string, login_timeout),
      runner_(
          *this,
          [this]() -> std::uint64_t { return isConnected() ? mysql_thread_id(handle()) : 0; },
          options) {
    my_bool reconnect = 0;
    if (mysql_get_optionv(handle(), MYSQL_OPT_RECONNECT, &reconnect) == 0) {
        reconnect_configured_ = reconnect != 0;
    }
}

Poco::Any MysqlSession::getProperty(const std::string& name) {
    if (name == sdk::detail::kStatementRunnerProperty) {
        return static_cast<sdk::detail::StatementRunner*>(&runner_);
    }
    return Poco::Data::MySQL::SessionImpl::getProperty(name);
}

void MysqlSession::begin() {
    if (in_transaction_) {
        throw Poco::InvalidAccessException(
            "a transaction is already open on this session; commit or roll it back first");
    }
    static constexpr char kStart[] = "START TRANSACTION";
    if (mysql_real_query(handle(), kStart, sizeof(kStart) - 1) != 0) {
        throw TransactionException("START TRANSACTION failed", handle());
    }
    in_transaction_ = true;
    setAutomaticReconnect(false);
}

void MysqlSession::commit() {
    if (mysql_commit(handle()) != 0) {
        TransactionException error("COMMIT failed", handle());
        endTransaction();
        throw error;
    }
    endTransaction();
}

void MysqlSession::rollback() {
    endTransaction();
    if (mysql_rollback(handle()) != 0) {
        throw TransactionException("ROLLBACK failed", handle());
    }
}

void MysqlSession::close() {
    runner_.clear();
    Poco::Data::MySQL::SessionImpl::close();
}

void MysqlSession::endTransaction() {
    in_transaction_ = false;
    setAutomaticReconnect(reconnect_configured_);
}

void MysqlSession::setAutomaticReconnect(bool enabled) {
    my_bool value = enabled ? 1 : 0;
    mysql_options(handle(), MYSQL_OPT_RECONNECT, &value);
}

}  // namespace valhalla::host::database
