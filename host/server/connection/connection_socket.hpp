#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/StreamSocketImpl.h>

#include "server/connection/chunked_framing.hpp"
#include "server/connection/connection.hpp"

namespace valhalla::host::server::connection {

/// The socket that Poco's HTTP session reads and writes during one hand-off of a
/// connection to a request thread.
///
/// Reads return the connection's buffered bytes first, then wait for the
/// non-blocking fd with `io_timeout`. Writes wait for the fd to accept all bytes.
/// On an HTTPS connection both go through its TLS session, so Poco's request and
/// response objects work the same over TLS.
/// `close` and the timeout setters do nothing, because the connection layer owns the
/// fd and its deadlines, and Poco's session closes its socket when destroyed. For a
/// chunked request, the body bytes pass a framing check on their way to Poco.
class ConnectionSocketImpl : public Poco::Net::StreamSocketImpl {
public:
    /// `head_size` is the size of the request head at the start of the connection's
    /// input, `chunked` is whether the body that follows it is chunked, and
    /// `content_length` is the size of a body that is not (0 without a body).
    ConnectionSocketImpl(Connection& connection,
                         std::chrono::milliseconds io_timeout,
                         std::size_t head_size,
                         bool chunked,
                         std::uint64_t content_length);
    ~ConnectionSocketImpl() override;

    int receiveBytes(void* buffer, int length, int flags = 0) override;
    int sendBytes(const void* buffer, int length, int flags = 0) override;
    int available() override;

    void close() override {}

    void shutdownReceive() override {}

    void shutdownSend() override {}

    void shutdown() override {}

    void setReceiveTimeout(const Poco::Timespan&) override {}

    void setSendTimeout(const Poco::Timespan&) override {}

    Poco::Timespan getReceiveTimeout() override;
    Poco::Timespan getSendTimeout() override;

    Poco::Net::SocketAddress address() override { return connection_.local; }

    Poco::Net::SocketAddress peerAddress() override { return connection_.peer; }

    bool getBlocking() const override { return true; }

    /// Offset of the end of a chunked body, trailers included, from the start of the
    /// request. Poco 1.11 stops reading after the first line that follows the last
    /// chunk, so with trailers the next request starts here, not where Poco stopped.
    /// Only meaningful when framingComplete().
    std::size_t bodyEnd() const { return head_size_ + body_bytes_; }

    /// Bytes delivered to Poco so far, head included.
    std::size_t delivered() const { return delivered_; }

    /// Whether the framing check saw the end of a chunked body, trailers included.
    bool framingComplete() const { return framing_.complete(); }

private:
    std::chrono::milliseconds nextReceiveWait() const;
    void waitToReceive(short events);
    int receiveFromSocket(void* buffer, int length);
    int receiveFromTls(void* buffer, int length);
    int sendToTls(const char* bytes, int length);
    void checkFraming(const char* data, std::size_t length);
    void checkBodyComplete() const;

    Connection& connection_;
    std::chrono::milliseconds io_timeout_;
    // Time spent waiting for request bytes from the client so far.
    std::chrono::milliseconds receive_waited_{0};
    std::size_t head_size_;
    std::size_t head_remaining_;
    bool chunked_;
    std::uint64_t content_length_;
    ChunkedFramingValidator framing_;
    std::size_t delivered_ = 0;
    std::size_t body_bytes_ = 0;
};

/// An HTTPServerSession that hands back the bytes it buffered beyond the current
/// request, so a pipelined request is not lost when the session ends.
class RecoverableSession : public Poco::Net::HTTPServerSession {
public:
    using Poco::Net::HTTPServerSession::HTTPServerSession;

    /// Removes and returns the bytes read from the socket but not consumed.
    std::string takeBuffered();
};

/// Waits until `fd` is readable (`events` POLLIN) or writable (POLLOUT). Returns
/// false on timeout.
bool waitForFd(int fd, short events, std::chrono::milliseconds timeout);

}  // namespace valhalla::host::server::connection
