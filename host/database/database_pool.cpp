#include "database/database_pool.hpp"

#include <filesystem>
#include <mutex>

#include <Poco/Data/MySQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Exception.h>

#include <valhalla/sdk/http_error.hpp>

#include "database/connection_string.hpp"
#include "database/statement_cache_budget.hpp"
#include "logging/logging.hpp"

namespace valhalla::host::database {

namespace {

void registerConnectors() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Data::MySQL::Connector::registerConnector();
        Poco::Data::SQLite::Connector::registerConnector();
    });
}

std::unique_ptr<TunedSessionPool> makePool(const config::Settings& settings,
                                           const SessionConnectors& connectors) {
    int size = static_cast<int>(settings.pool_size);
    if (settings.database_connector == "mysql") {
        return std::make_unique<TunedSessionPool>(
            connectors.mysql(), mysqlConnectionString(settings.mysql), size);
    }
    std::filesystem::create_directories(std::filesystem::path(settings.sqlite_path).parent_path());
    return std::make_unique<TunedSessionPool>(connectors.sqlite(), settings.sqlite_path, size);
}

}  // namespace

DatabasePool::DatabasePool(const config::Settings& settings)
    : connector_(settings.database_connector),
      target_(connector_ == "mysql" ? describeMysqlTarget(settings.mysql) : settings.sqlite_path),
      size_(settings.pool_size),
      acquire_timeout_(settings.acquire_timeout),
      slots_(static_cast<unsigned>(settings.pool_size)),
      log_(logging::get("db")) {
    registerConnectors();
    createConnectors(settings);
    pool_ = makePool(settings, *connectors_);
    log_->info("database pool created connector={} target={} pool_size={} acquire_timeout_ms={}",
               connector_,
               target_,
               size_,
               acquire_timeout_.count());
}

DatabasePool::~DatabasePool() {
    shutdown();
}

sdk::SessionLease DatabasePool::acquire() {
    if (!slots_.tryTake()) {
        ++acquire_waits_;
        if (!slots_.take(acquire_timeout_)) {
            ++exhausted_;
            failExhausted();
        }
    }
    ++in_use_;
    auto slot = std::shared_ptr<void>(static_cast<void*>(this), [this](void*) { releaseSlot(); });
    try {
        return sdk::SessionLease(pool_->get(), std::move(slot));
    } catch (const Poco::Exception& error) {
        slot.reset();
        failUnreachable(error.displayText());
    }
}

void DatabasePool::createConnectors(const config::Settings& settings) {
    StatementCacheBudget budget = statementCacheBudget(settings.statement_cache_size,
                                                       static_cast<std::size_t>(settings.workers),
                                                       settings.pool_size);
    QueryRunnerOptions mysql;
    mysql.cache_capacity = budget.per_connection;
    mysql.log = log_;
    mysql.retry_log_limit = std::make_shared<logging::RateLimiter>(std::chrono::seconds(5));
    QueryRunnerOptions sqlite = mysql;
    sqlite.cache_capacity = 0;
    connectors_ = std::make_unique<SessionConnectors>(mysql, sqlite);

    if (connector_ != "mysql") {
        log_->info("statement cache off connector={}: SQLite prepares without a round trip",
                   connector_);
        return;
    }
    log_->info(
        "statement cache per_connection={} workers={} pool_size={} "
        "max_prepared_statements={} server_default_limit={}",
        budget.per_connection,
        settings.workers,
        size_,
        budget.max_prepared_statements,
        kDefaultServerStatementLimit);
    if (budget.lowered) {
        log_->warn(
            "statement cache lowered to fit the server's prepared statement limit "
            "configured={} per_connection={}; lower WORKERS or MYSQL_POOL_SIZE to keep more "
            "statements per connection",
            settings.statement_cache_size,
            budget.per_connection);
    }
}

void DatabasePool::shutdown() {
    if (pool_ && pool_->isActive()) {
        pool_->shutdown();
    }
}

void DatabasePool::releaseSlot() {
    --in_use_;
    slots_.give();
}

void DatabasePool::failExhausted() {
    if (auto suppressed = exhausted_log_limit_.admit()) {
        log_->error(
            "database pool exhausted: no session became free in time pool_size={} in_use={} "
            "acquire_timeout_ms={} suppressed_since_last={}; raise MYSQL_POOL_SIZE or find the "
            "handler that keeps sessions",
            size_,
            in_use_.load(),
            acquire_timeout_.count(),
            *suppressed);
    }
    throw sdk::HttpError(503, "the database is busy; retry shortly").withHeader("Retry-After", "1");
}

void DatabasePool::failUnreachable(const std::string& reason) {
    if (auto suppressed = unreachable_log_limit_.admit()) {
        log_->error(
            "database connection failed connector={} target={} error=\"{}\" "
            "suppressed_since_last={}; check that the server runs and that MYSQL_HOST, "
            "MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD and MYSQL_DATABASE are right",
            connector_,
            target_,
            reason,
            *suppressed);
    }
    throw sdk::HttpError(503, "the database is unavailable; retry shortly")
        .withHeader("Retry-After", "1");
}

}  // namespace valhalla::host::database
