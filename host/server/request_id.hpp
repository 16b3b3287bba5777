#pragma once

#include <string>
#include <string_view>

namespace valhalla::host::server {

/// Returns whether a client's X-Request-Id can be kept: 1 to 128 characters from
/// letters, digits, '-', '_', '.', ':' and '@', so it is safe in logs and headers.
bool isWellFormedRequestId(std::string_view id);

/// Returns a new random request id of 16 hexadecimal digits.
std::string newRequestId();

}  // namespace valhalla::host::server
