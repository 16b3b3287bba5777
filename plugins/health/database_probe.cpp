#include "database_probe.hpp"

#include <utility>

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <valhalla/sdk/http_error.hpp>

namespace valhalla::plugins::health {

DatabaseProbe::DatabaseProbe(sdk::Database& database, std::shared_ptr<spdlog::logger> logger)
    : database_(database), logger_(std::move(logger)) {}

DatabaseStatus DatabaseProbe::check(const std::string& request_id) {
    std::string error = runQuery();
    bool reachable = error.empty();
    recordResult(reachable, error, request_id);

    DatabaseStatus status;
    status.connector = database_.connector();
    status.reachable = reachable;
    status.pool_size = database_.poolSize();
    status.in_use = database_.inUse();
    return status;
}

std::string DatabaseProbe::runQuery() {
    using Poco::Data::Keywords::into;
    using Poco::Data::Keywords::now;
    try {
        sdk::SessionLease lease = database_.acquire();
        int one = 0;
        lease.session() << "SELECT 1", into(one), now;
        return one == 1 ? std::string() : "SELECT 1 returned " + std::to_string(one);
    } catch (const sdk::HttpError& error) {
        return error.detail();
    } catch (const Poco::Exception& error) {
        return error.displayText();
    } catch (const std::exception& error) {
        return error.what();
    }
}

void DatabaseProbe::recordResult(bool reachable,
                                 const std::string& error,
                                 const std::string& request_id) {
    bool was_reachable = last_reachable_.exchange(reachable);
    if (was_reachable && !reachable) {
        logger_->warn("database unreachable request_id={} connector={} error=\"{}\"",
                      request_id,
                      database_.connector(),
                      error);
    } else if (!was_reachable && reachable) {
        logger_->info("database reachable again request_id={} connector={}",
                      request_id,
                      database_.connector());
    }
}

}  // namespace valhalla::plugins::health
