#include "server/connection/tls_stream.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <openssl/err.h>

namespace valhalla::host::server::connection {

namespace {

// The TCP socket under a TlsStream. Poco's SSL code reads the blocking mode from this
// object, not from the descriptor, and only for a socket that claims not to block it
// returns "want read" or "want write" instead of polling inside Poco. The
// descriptor belongs to the connection layer, so close() does nothing, and the
// timeouts are neither set nor read, which saves a system call per read or write.
class NonBlockingSocketImpl : public Poco::Net::StreamSocketImpl {
public:
    explicit NonBlockingSocketImpl(int fd) : Poco::Net::StreamSocketImpl(fd) {}

    bool getBlocking() const override { return false; }

    void close() override {}

    void shutdownReceive() override {}

    void shutdownSend() override {}

    void shutdown() override {}

    void setReceiveTimeout(const Poco::Timespan&) override {}

    void setSendTimeout(const Poco::Timespan&) override {}

    Poco::Timespan getReceiveTimeout() override { return {}; }

    Poco::Timespan getSendTimeout() override { return {}; }

protected:
    // Forgets the descriptor, so the base class destructor does not close it.
    ~NonBlockingSocketImpl() override { reset(); }
};

}  // namespace

TlsStream::TlsStream(int fd, Poco::Net::Context::Ptr context) {
    Poco::Net::StreamSocket tcp(new NonBlockingSocketImpl(fd));
    socket_.emplace(Poco::Net::SecureStreamSocket::attach(tcp, context));
}

TlsStream::~TlsStream() {
    close();
}

int TlsStream::handshake() {
    if (!socket_) {
        last_error_ = "the TLS session is closed";
        return kFailed;
    }
    // SSL_get_error, which Poco uses, is only reliable with an empty error queue.
    ERR_clear_error();
    try {
        int result = socket_->completeHandshake();
        if (result == 1) {
            established_ = true;
            wants_write_ = false;
            return 1;
        }
        if (result == 0) {
            last_error_ = "the client closed the connection during the TLS handshake";
            return kFailed;
        }
        return finish(result);
    } catch (const Poco::Exception& error) {
        last_error_ = error.displayText();
        return kFailed;
    }
}

int TlsStream::receive(void* buffer, int length) {
    if (!socket_) {
        last_error_ = "the TLS session is closed";
        return kFailed;
    }
    ERR_clear_error();
    try {
        return finish(socket_->receiveBytes(buffer, length));
    } catch (const Poco::Exception& error) {
        last_error_ = error.displayText();
        return kFailed;
    }
}

int TlsStream::send(const void* buffer, int length) {
    if (!socket_) {
        last_error_ = "the TLS session is closed";
        return kFailed;
    }
    ERR_clear_error();
    try {
        int result = finish(socket_->sendBytes(buffer, length));
        if (result == 0 && length > 0) {
            last_error_ = "the connection closed while sending";
            return kFailed;
        }
        return result;
    } catch (const Poco::Exception& error) {
        last_error_ = error.displayText();
        return kFailed;
    }
}

int TlsStream::pending() {
    return socket_ ? socket_->available() : 0;
}

void TlsStream::close() {
    if (!socket_) {
        return;
    }
    ERR_clear_error();
    // Poco's SecureSocketImpl sends close_notify when it is destroyed; the descriptor
    // is non-blocking, so that never waits.
    socket_.reset();
    ERR_clear_error();
}

int TlsStream::finish(int result) {
    wants_write_ = result == kWantWrite;
    if (result < kWantWrite) {
        last_error_ = "OpenSSL returned " + std::to_string(result);
        return kFailed;
    }
    return result;
}

}  // namespace valhalla::host::server::connection
