#pragma once

#include <string>

namespace valhalla::host::server::connection {

/// Binds and listens on `host:port` and returns the non-blocking, close-on-exec
/// descriptor. Throws Poco::Net::NetException (for example "Address already in
/// use") when the address cannot be bound.
int openListenSocket(const std::string& host, int port);

/// Returns the local port of a bound socket, or 0 when it cannot be read.
int localPort(int fd);

}  // namespace valhalla::host::server::connection
