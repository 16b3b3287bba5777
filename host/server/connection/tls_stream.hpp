#pragma once

#include <optional>
#include <string>

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>

namespace valhalla::host::server::connection {

/// The server side of TLS on one accepted, non-blocking TCP connection, built on
/// Poco NetSSL's SecureStreamSocket.
///
/// No call blocks: each returns kWantRead or kWantWrite when it needs the socket
/// to become readable or writable, and the caller waits for that itself. Apart from
/// the constructor no call throws: a TLS or socket error returns kFailed, and
/// lastError() describes it.
/// The connection layer keeps ownership of the descriptor, which stays open until
/// the caller closes it after close() or the destructor. Not thread-safe: one
/// thread at a time uses a stream, as with the rest of a connection.
class TlsStream {
public:
    static constexpr int kWantRead = Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ;
    static constexpr int kWantWrite = Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE;
    static constexpr int kFailed = -3;

    /// Attaches a server-side TLS session to `fd` without sending anything. Throws
    /// Poco::Exception when OpenSSL cannot create the session.
    TlsStream(int fd, Poco::Net::Context::Ptr context);
    ~TlsStream();
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    /// Advances the handshake. Returns 1 once it is complete, kWantRead, kWantWrite,
    /// or kFailed, also when the client closed the connection during the handshake.
    int handshake();

    /// Whether the handshake is complete.
    bool established() const { return established_; }

    /// Reads decrypted bytes. Returns the count, 0 at the end of the stream,
    /// kWantRead, kWantWrite or kFailed.
    int receive(void* buffer, int length);

    /// Encrypts and sends bytes. Returns the count sent, kWantRead, kWantWrite or
    /// kFailed. After kWantRead or kWantWrite the next call must pass the same bytes.
    int send(const void* buffer, int length);

    /// Decrypted bytes that OpenSSL keeps and receive() returns without reading the
    /// socket. The socket does not become readable for them, so a connection with
    /// pending bytes must not wait in the poll set.
    int pending();

    /// Whether the last call returned kWantWrite, so the caller waits for the socket
    /// to become writable instead of readable.
    bool wantsWrite() const { return wants_write_; }

    /// Description of the error behind the last kFailed.
    const std::string& lastError() const { return last_error_; }

    /// Sends close_notify when the handshake is complete and releases the TLS
    /// session, without waiting for the socket. The descriptor stays open.
    void close();

private:
    int finish(int result);

    std::optional<Poco::Net::SecureStreamSocket> socket_;
    bool established_ = false;
    bool wants_write_ = false;
    std::string last_error_;
};

}  // namespace valhalla::host::server::connection
