#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <Poco/Net/SocketAddress.h>

#include "server/connection/request_head.hpp"
#include "server/connection/tls_stream.hpp"

namespace valhalla::host::server::connection {

using Clock = std::chrono::steady_clock;

/// One accepted TCP connection, its TLS session when the server serves HTTPS, and the
/// bytes read from it that no request has consumed yet.
///
/// Exactly one thread owns a connection at a time: the poll thread while it waits
/// in the poll set, then one request thread from the moment it is queued until it
/// goes back to the poll set or is closed. `state` records which, under the
/// server's registry mutex.
struct Connection {
    enum class State { Polling, Queued, Serving };

    int fd = -1;
    Poco::Net::SocketAddress peer;
    Poco::Net::SocketAddress local;
    State state = State::Polling;
    /// Bytes received and not yet consumed by a request.
    std::string input;
    /// When a partial request head must be complete; set when its first byte arrives.
    Clock::time_point head_deadline;
    /// When an idle connection with no partial head is closed.
    Clock::time_point idle_deadline;
    /// When the connection entered the ready queue.
    Clock::time_point queued_at;
    std::uint64_t requests = 0;
    /// Scan of the complete head at the start of `input`, set when the connection is
    /// queued, so the request thread does not scan it again.
    HeadScan head;
    /// Whether the client shut down its sending side; requests already received are
    /// still served, then the connection closes.
    bool peer_closed = false;
    /// Whether the current request's chunked body was malformed; the connection
    /// closes after the response.
    bool framing_error = false;
    /// TLS session over `fd`, or nullptr for plain HTTP. `input` contains decrypted bytes.
    std::unique_ptr<TlsStream> tls;
    /// Whether the first byte from an HTTPS client was checked to start a TLS record.
    bool first_byte_checked = false;
};

}  // namespace valhalla::host::server::connection
