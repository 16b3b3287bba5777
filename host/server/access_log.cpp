#include "server/access_log.hpp"

#include "logging/logging.hpp"

namespace valhalla::host::server {

namespace {

using logging::jsonEscape;

double milliseconds(std::chrono::microseconds duration) {
    return static_cast<double>(duration.count()) / 1000.0;
}

}  // namespace

void logAccess(const AccessRecord& record) {
    static auto log = logging::get("access");
    if (logging::jsonFormat()) {
        log->info(R"("remote":"{}","method":"{}","path":"{}","status":{},"bytes":{},)"
                  R"("duration_ms":{:.3f},"request_id":"{}","plugin":"{}","route":"{}")",
                  jsonEscape(record.remote_address),
                  jsonEscape(record.method),
                  jsonEscape(record.path),
                  record.status,
                  record.bytes,
                  milliseconds(record.duration),
                  jsonEscape(record.request_id),
                  jsonEscape(record.plugin),
                  jsonEscape(record.route));
        return;
    }
    log->info(
        "request remote={} method={} path={} status={} bytes={} duration_ms={:.3f} "
        "request_id={} plugin={} route={}",
        record.remote_address,
        record.method,
        record.path,
        record.status,
        record.bytes,
        milliseconds(record.duration),
        record.request_id,
        record.plugin,
        record.route);
}

}  // namespace valhalla::host::server
