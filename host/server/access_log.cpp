#include "server/access_log.hpp"

#include "logging/logging.hpp"

namespace valhalla::host::server {

void logAccess(const AccessRecord& record) {
    static auto log = logging::get("access");
    log->info(
        "request remote={} method={} path={} status={} bytes={} duration_ms={:.3f} "
        "request_id={} plugin={} route={}",
        record.remote_address,
        record.method,
        record.path,
        record.status,
        record.bytes,
        static_cast<double>(record.duration.count()) / 1000.0,
        record.request_id,
        record.plugin,
        record.route);
}

}  // namespace valhalla::host::server
