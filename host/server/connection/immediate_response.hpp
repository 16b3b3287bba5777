#pragma once

#include <string>
#include <utility>
#include <vector>

namespace valhalla::host::server::connection {

/// Builds a complete `application/problem+json` response with `Connection: close`
/// and a Date header, for responses the connection layer sends without a request
/// thread: 400, 408, 413, 417, 431, 503 and 505. `request_id` goes into the body and
/// the X-Request-Id header.
std::string immediateResponse(int status,
                              const std::string& detail,
                              const std::string& request_id,
                              const std::vector<std::pair<std::string, std::string>>& headers = {});

/// Writes `response` to the non-blocking `fd` as far as the socket buffer takes it
/// without waiting. Returns whether every byte was written.
bool writeWithoutWaiting(int fd, const std::string& response);

}  // namespace valhalla::host::server::connection
