#include "item_database.hpp"

#include <cstdint>

#include <valhalla/sdk/http_error.hpp>

namespace valhalla::plugins::items {

ItemDatabase::ItemDatabase(sdk::Database& database,
                           const ItemsConfig& config,
                           std::shared_ptr<spdlog::logger> logger)
    : database_(database),
      table_name_(config.table),
      logger_(std::move(logger)),
      store_(database.connector(), config.table) {}

void ItemDatabase::createTableAtStart() {
    std::string error;
    try {
        sdk::SessionLease lease = database_.acquire();
        table_.ensureCreated(lease.session());
    } catch (const Poco::Exception& exception) {
        error = exception.displayText();
    } catch (const sdk::HttpError& exception) {
        error = exception.detail();
    }

    if (error.empty()) {
        logger_->info("items table ready table={} connector={}", table_name_, connector());
    } else {
        logger_->warn(
            "items table not created at start, retrying on the next request table={} "
            "connector={} error=\"{}\"",
            table_name_,
            connector(),
            error);
    }
}

void ItemDatabase::throwUnavailable(const sdk::RequestContext& request, const std::string& reason) {
    std::uint64_t suppressed = 0;
    if (unavailable_log_.tryAcquire(suppressed)) {
        logger_->warn(
            "database unavailable, answering 503 request_id={} route={} error=\"{}\" "
            "suppressed_since_last={}",
            request.requestId(),
            request.routePattern(),
            reason,
            suppressed);
    }
    throw sdk::HttpError(503, "the database is unavailable, so retry the request later")
        .withHeader("Retry-After", "1");
}

}  // namespace valhalla::plugins::items
