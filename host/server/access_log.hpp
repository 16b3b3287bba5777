#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace valhalla::host::server {

/// The fields of one access-log line.
struct AccessRecord {
    std::string remote_address;
    std::string method;
    /// Path without the query string, which may carry secrets.
    std::string path;
    int status = 0;
    /// Response body size from Content-Length, or -1 when unknown (streamed).
    std::int64_t bytes = -1;
    std::chrono::microseconds duration{0};
    std::string request_id;
    /// Plugin that served the request, or `host` for built-in endpoints and errors.
    std::string plugin;
    /// Matched route pattern, never the raw path, or `-` when none matched.
    std::string route;
};

/// Writes one line to the `access` logger.
void logAccess(const AccessRecord& record);

}  // namespace valhalla::host::server
