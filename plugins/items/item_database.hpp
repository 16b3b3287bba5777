#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <spdlog/logger.h>

#include <valhalla/sdk/database.hpp>
#include <valhalla/sdk/request_context.hpp>

#include "database_errors.hpp"
#include "item_store.hpp"
#include "items_config.hpp"
#include "rate_limited_log.hpp"
#include "table_initializer.hpp"

namespace valhalla::plugins::items {

/// Runs item store operations on a session lent from the host's pool for one request,
/// creating the table first if that has not succeeded yet. Thread-safe.
class ItemDatabase {
public:
    ItemDatabase(sdk::Database& database,
                 const ItemsConfig& config,
                 std::shared_ptr<spdlog::logger> logger);

    /// Tries to create the table at plugin start. The database may be down then, so a
    /// failure is logged as a warning and creation is retried by the next request.
    void createTableAtStart();

    /// Acquires a session, makes sure the table exists, and returns
    /// `action(store, lease)`. The session goes back to the pool before this returns.
    /// Throws sdk::HttpError 503 with Retry-After when no session is free or the
    /// database is unreachable. Other database errors pass through unchanged, so the
    /// host responds with 500 and logs them as bugs.
    template <typename Action>
    decltype(auto) run(const sdk::RequestContext& request, Action&& action) {
        sdk::SessionLease lease = database_.acquire();
        try {
            table_.ensureCreated(lease.session());
            return std::forward<Action>(action)(store_, lease);
        } catch (const Poco::Exception& error) {
            if (isDatabaseUnavailable(error)) {
                throwUnavailable(request, error.displayText());
            }
            throw;
        } catch (const DatabaseUnavailableError& error) {
            throwUnavailable(request, error.what());
        }
    }

    const std::string& connector() const { return database_.connector(); }

private:
    [[noreturn]] void throwUnavailable(const sdk::RequestContext& request,
                                       const std::string& reason);

    sdk::Database& database_;
    std::string table_name_;
    std::shared_ptr<spdlog::logger> logger_;
    ItemStore store_;
    TableInitializer table_{store_};
    RateLimitedLog unavailable_log_{std::chrono::seconds(1)};
};

}  // namespace valhalla::plugins::items
