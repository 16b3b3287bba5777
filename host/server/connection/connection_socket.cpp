#include "server/connection/connection_socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <Poco/Net/NetException.h>

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace valhalla::host::server::connection {

namespace {

// Beyond the I/O timeout, a request may keep its thread waiting for the client one
// more second per this many bytes received. The read of a slower client fails,
// however long its body, so that a slow upload cannot hold a thread indefinitely.
constexpr std::size_t kMinReceiveBytesPerSecond = 8 * 1024;

}  // namespace

bool waitForFd(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd entry{fd, events, 0};
    while (true) {
        int ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
        if (ready >= 0) {
            return ready > 0;
        }
        if (errno != EINTR) {
            return false;
        }
    }
}

ConnectionSocketImpl::ConnectionSocketImpl(Connection& connection,
                                           std::chrono::milliseconds io_timeout,
                                           std::size_t head_size,
                                           bool chunked,
                                           std::uint64_t content_length)
    : connection_(connection),
      io_timeout_(io_timeout),
      head_size_(head_size),
      head_remaining_(head_size),
      chunked_(chunked),
      content_length_(content_length) {}

// The base class has no fd, so its destructor closes nothing; the connection
// layer closes the fd itself.
ConnectionSocketImpl::~ConnectionSocketImpl() = default;

int ConnectionSocketImpl::receiveBytes(void* buffer, int length, int) {
    // For a chunked body, the head is delivered on its own, so that a framing error
    // fails the body read and not the parsing of a valid head.
    if (chunked_ && head_remaining_ > 0) {
        length = static_cast<int>(
            std::min<std::size_t>(head_remaining_, static_cast<std::size_t>(length)));
    }
    int count = 0;
    if (!connection_.input.empty()) {
        count = static_cast<int>(
            std::min<std::size_t>(connection_.input.size(), static_cast<std::size_t>(length)));
        std::memcpy(buffer, connection_.input.data(), static_cast<std::size_t>(count));
        connection_.input.erase(0, static_cast<std::size_t>(count));
    } else {
        count = receiveFromSocket(buffer, length);
        if (count == 0 && length > 0) {
            checkBodyComplete();
        }
    }
    checkFraming(static_cast<const char*>(buffer), static_cast<std::size_t>(count));
    delivered_ += static_cast<std::size_t>(count);
    return count;
}

void ConnectionSocketImpl::checkFraming(const char* data, std::size_t length) {
    std::size_t head_part = std::min(head_remaining_, length);
    head_remaining_ -= head_part;
    if (!chunked_ || framing_.complete() || head_part == length) {
        return;
    }
    try {
        body_bytes_ += framing_.feed(data + head_part, length - head_part);
    } catch (const ChunkedFramingError& error) {
        connection_.framing_error = true;
        throw Poco::Net::MessageException("malformed chunked request body", error.what());
    }
}

// Called when the client has closed its side. Throws when the request body has not
// fully arrived, so that the handler gets a failed read instead of a shorter body.
void ConnectionSocketImpl::checkBodyComplete() const {
    bool cut_short = chunked_ ? !framing_.complete() : delivered_ < head_size_ + content_length_;
    if (cut_short) {
        connection_.framing_error = true;
        throw Poco::Net::MessageException(
            "the client closed the connection before the end of the request body");
    }
}

int ConnectionSocketImpl::receiveFromSocket(void* buffer, int length) {
    if (connection_.tls) {
        return receiveFromTls(buffer, length);
    }
    while (true) {
        ssize_t received = ::recv(connection_.fd, buffer, static_cast<std::size_t>(length), 0);
        if (received >= 0) {
            return static_cast<int>(received);
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            throw Poco::Net::NetException("receive failed", std::strerror(errno));
        }
        waitToReceive(POLLIN);
    }
}

// Returns how long the next wait for request bytes may take: the I/O timeout, cut to
// what is left of the budget for waiting on this client.
std::chrono::milliseconds ConnectionSocketImpl::nextReceiveWait() const {
    auto budget =
        io_timeout_ + std::chrono::milliseconds(delivered_ * 1000 / kMinReceiveBytesPerSecond);
    return std::min(io_timeout_, budget - receive_waited_);
}

// Waits until the socket is ready for `events`, and throws Poco::TimeoutException
// when the wait timed out or the client used up its budget for waiting.
void ConnectionSocketImpl::waitToReceive(short events) {
    // Built only when thrown, because this runs whenever a read has to wait.
    auto too_slow = [this] {
        return "the client sent the request slower than " +
               std::to_string(kMinReceiveBytesPerSecond / 1024) +
               " KiB/s after the head timeout of " + std::to_string(io_timeout_.count()) +
               " ms (server.head_timeout)";
    };
    auto wait = nextReceiveWait();
    if (wait.count() <= 0) {
        throw Poco::TimeoutException(too_slow());
    }

    auto started = std::chrono::steady_clock::now();
    bool ready = waitForFd(connection_.fd, events, wait);
    receive_waited_ += std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (!ready) {
        // A wait shorter than the I/O timeout ended because the budget ran out.
        if (wait < io_timeout_) {
            throw Poco::TimeoutException(too_slow());
        }
        throw Poco::TimeoutException("no request data arrived within " +
                                     std::to_string(io_timeout_.count()) +
                                     " ms (server.head_timeout)");
    }
}

int ConnectionSocketImpl::receiveFromTls(void* buffer, int length) {
    TlsStream& tls = *connection_.tls;
    while (true) {
        int received = tls.receive(buffer, length);
        if (received >= 0) {
            return received;
        }
        if (received == TlsStream::kFailed) {
            throw Poco::Net::NetException("TLS receive failed", tls.lastError());
        }
        waitToReceive(tls.wantsWrite() ? POLLOUT : POLLIN);
    }
}

int ConnectionSocketImpl::sendBytes(const void* buffer, int length, int) {
    auto* bytes = static_cast<const char*>(buffer);
    if (connection_.tls) {
        return sendToTls(bytes, length);
    }
    int sent_total = 0;
    while (sent_total < length) {
        ssize_t sent = ::send(connection_.fd,
                              bytes + sent_total,
                              static_cast<std::size_t>(length - sent_total),
                              MSG_NOSIGNAL);
        if (sent >= 0) {
            sent_total += static_cast<int>(sent);
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            throw Poco::Net::NetException("send failed", std::strerror(errno));
        }
        if (!waitForFd(connection_.fd, POLLOUT, io_timeout_)) {
            throw Poco::TimeoutException("timed out sending the response");
        }
    }
    return sent_total;
}

// After kWantRead or kWantWrite, OpenSSL needs the same bytes again, which the loop
// passes because `sent_total` has not moved.
int ConnectionSocketImpl::sendToTls(const char* bytes, int length) {
    TlsStream& tls = *connection_.tls;
    int sent_total = 0;
    while (sent_total < length) {
        int sent = tls.send(bytes + sent_total, length - sent_total);
        if (sent > 0) {
            sent_total += sent;
            continue;
        }
        if (sent == TlsStream::kFailed) {
            throw Poco::Net::NetException("TLS send failed", tls.lastError());
        }
        if (!waitForFd(connection_.fd, tls.wantsWrite() ? POLLOUT : POLLIN, io_timeout_)) {
            throw Poco::TimeoutException("timed out sending the response");
        }
    }
    return sent_total;
}

int ConnectionSocketImpl::available() {
    if (connection_.tls) {
        return static_cast<int>(connection_.input.size()) + connection_.tls->pending();
    }
    int pending = 0;
    if (::ioctl(connection_.fd, FIONREAD, &pending) != 0) {
        pending = 0;
    }
    return static_cast<int>(connection_.input.size()) + pending;
}

Poco::Timespan ConnectionSocketImpl::getReceiveTimeout() {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(io_timeout_.count()) * 1000);
}

Poco::Timespan ConnectionSocketImpl::getSendTimeout() {
    return getReceiveTimeout();
}

std::string RecoverableSession::takeBuffered() {
    std::string leftover(static_cast<std::size_t>(buffered()), '\0');
    if (!leftover.empty()) {
        read(leftover.data(), static_cast<std::streamsize>(leftover.size()));
    }
    return leftover;
}

}  // namespace valhalla::host::server::connection
