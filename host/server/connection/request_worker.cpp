// The request-thread side of ConnectionServer: serving connections whose request
// head is complete.

#include <algorithm>
#include <cerrno>
#include <memory>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timestamp.h>

#include "server/connection/connection_server.hpp"
#include "server/connection/connection_socket.hpp"
#include <poll.h>

namespace valhalla::host::server::connection {

namespace {

// While other connections wait for a thread, a request thread serves at most this
// many requests of one connection in a row before it returns the connection, so busy
// connections cannot starve others. With the wait below, a queued connection waits
// for at most this many requests of each busy one.
constexpr int kMaxRequestsInRow = 16;

// How long a request thread waits for the next request on the same connection. The
// wait ends early when another connection enters the queue, so it only uses a
// thread that nothing else needs, and it saves two thread hand-offs per request
// for clients that send requests back to back.
constexpr auto kNextRequestWait = std::chrono::milliseconds(50);

// How long it waits for the next request while other connections wait for a thread.
// Keeping the thread saves the hand-offs through the poll thread. On 2 loaded cores,
// going from 200 us to 1 ms took /hello with wrk at 64 connections on 32 threads from
// about 40k to 60k requests/s, and its p99 latency from about 6 to 8-9 ms. So wrk's
// next request mostly came after 200 us but within 1 ms.
constexpr auto kBusyNextRequestWait = std::chrono::microseconds(1000);

// Idle connections keep at most this much buffer capacity.
constexpr std::size_t kMaxIdleBufferCapacity = 64 * 1024;

// A request that takes at least this long has most likely waited for something: a
// database reply, a lock, a slow client. On 2 loaded cores, MariaDB alone spends
// about 55 us of CPU per item read, while /hello takes about 20 us. getrusage() would
// tell whether the thread slept, but two calls per request cost 3 % of /hello's CPU.
constexpr auto kWaitingRequestTime = std::chrono::microseconds(150);

}  // namespace

void ConnectionServer::requestLoop() {
    while (Connection* connection = queue_.pop()) {
        {
            std::lock_guard lock(registry_mutex_);
            connection->state = Connection::State::Serving;
        }
        if (Clock::now() - connection->queued_at > settings_.queue_timeout) {
            rejectLateRequest(connection);
            continue;
        }
        serve(connection);
    }
}

void ConnectionServer::serve(Connection* connection) {
    HeadScan scan = connection->head;
    for (int served = 1;; ++served) {
        auto started = Clock::now();
        // When a drain starts during a keep-alive response, the client may send one
        // more request, so the connection goes back for the drain grace, not closed.
        if (!serveOneRequest(*connection, scan)) {
            closeConnection(connection);
            return;
        }
        bool request_waited = Clock::now() - started >= kWaitingRequestTime;
        if (!waitForNextHead(*connection, scan, served, request_waited)) {
            return;
        }
    }
}

bool ConnectionServer::serveOneRequest(Connection& connection, const HeadScan& scan) {
    // Poco's parser does not skip the empty lines the head scan allows before a
    // request line, so they are dropped here.
    std::size_t leading = std::min(connection.input.find_first_not_of("\r\n"), scan.head_size);
    connection.input.erase(0, leading);

    bool keep_alive = false;
    {
        connection.framing_error = false;
        auto* adapter = new ConnectionSocketImpl(connection,
                                                 settings_.head_timeout,
                                                 scan.head_size - leading,
                                                 scan.chunked,
                                                 scan.has_content_length ? scan.content_length : 0);
        Poco::Net::StreamSocket socket(adapter);
        RecoverableSession session(socket, params_);
        try {
            Poco::Net::HTTPServerResponseImpl response(session);
            Poco::Net::HTTPServerRequestImpl request(response, session, params_.get());
            response.setVersion(request.getVersion());
            response.setKeepAlive(scan.keep_alive && !connection.peer_closed && !stopping_);
            response.setDate(Poco::Timestamp());
            std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(
                factory_->createRequestHandler(request));
            handler->handleRequest(request, response);
            keep_alive = response.sent() && response.getKeepAlive() && !connection.framing_error;
        } catch (const Poco::Exception& error) {
            log_->debug("connection failed during a request remote={} error=\"{}\"",
                        connection.peer.toString(),
                        error.displayText());
            keep_alive = false;
        }
        if (keep_alive) {
            std::string leftover = session.takeBuffered();
            keep_alive = !scan.chunked || skipPastChunkedBody(*adapter, leftover);
            connection.input.insert(0, leftover);
        }
    }
    ++connection.requests;
    return keep_alive;
}

// Drops the trailer bytes that Poco left unread after a chunked body from
// `leftover`, so they are not parsed as the next request. Returns false when the
// end of the body is unknown, in which case the connection must close.
bool ConnectionServer::skipPastChunkedBody(const ConnectionSocketImpl& adapter,
                                           std::string& leftover) {
    if (!adapter.framingComplete()) {
        return false;
    }
    std::size_t consumed = adapter.delivered() - leftover.size();
    if (adapter.bodyEnd() > consumed) {
        std::size_t skip = adapter.bodyEnd() - consumed;
        if (skip > leftover.size()) {
            return false;
        }
        leftover.erase(0, skip);
    }
    return true;
}

// Returns true when the next request head of `connection` is complete and this
// thread should serve it. Otherwise the connection has been requeued, returned to
// the poll thread, or closed.
bool ConnectionServer::waitForNextHead(Connection& connection,
                                       HeadScan& scan,
                                       int served_in_row,
                                       bool request_waited) {
    // OpenSSL can hold decrypted bytes of the next request, and the socket does not
    // become readable for them, so they are read before anything waits for the socket.
    if (connection.tls && connection.tls->pending() > 0 && !readAvailable(connection)) {
        closeConnection(&connection);
        return false;
    }
    scan = scanRequestHead(connection.input, limits_);
    bool waits_for_write = connection.tls && connection.tls->wantsWrite();
    // The limit only matters while other connections wait for a thread.
    bool row_full = served_in_row >= kMaxRequestsInRow && queue_.needsThread();
    if (scan.kind == HeadScan::Kind::Incomplete && !row_full && !connection.peer_closed &&
        !waits_for_write && waitForNextRequest(connection.fd, request_waited)) {
        if (!readAvailable(connection, true)) {
            closeConnection(&connection);
            return false;
        }
        scan = scanRequestHead(connection.input, limits_);
    }
    switch (scan.kind) {
        case HeadScan::Kind::Complete:
            if (bodyCutShort(connection, scan)) {
                rejectCutShortBody(&connection, scan);
                return false;
            }
            if (awaitsBufferedBody(connection, scan)) {
                // The poll thread collects the rest of a small body, so a slow sender
                // occupies no request thread.
                break;
            }
            if (!row_full) {
                return true;
            }
            // A complete head is already buffered, so the poll set would never report
            // it: queue the connection again behind the others.
            handOff(&connection, scan);
            return false;
        case HeadScan::Kind::TooLarge:
        case HeadScan::Kind::Invalid:
            rejectHead(&connection, scan);
            return false;
        case HeadScan::Kind::Incomplete:
            break;
    }
    if (connection.peer_closed) {
        closeConnection(&connection);
        return false;
    }
    giveBack(&connection);
    return false;
}

// Waits for the next request on `fd` while no other connection waits for a thread.
// Returns true when `fd` became readable.
bool ConnectionServer::waitForNextRequest(int fd, bool request_waited) {
    if (stopping_) {
        return false;
    }
    if (queue_.needsThread()) {
        if (request_waited) {
            // Requests that wait keep the queue full, so this thread takes a queued
            // connection at once, and the poll thread hands this one back along with
            // others. Waiting here would add a sleep per request. Items reads with wrk
            // at 64 connections on 32 threads went from 3.1 to 2.45 context switches
            // per request and from about 11.0k to 12.4k requests/s. Their p99 latency
            // fell from about 35 to 15 ms.
            return false;
        }
        // Others wait, so only a client that sends its next request soon keeps the
        // thread. A short wait costs less than two hand-offs through the poll thread.
        pollfd entry{fd, POLLIN, 0};
        timespec brief{0, std::chrono::nanoseconds(kBusyNextRequestWait).count()};
        return ::ppoll(&entry, 1, &brief, nullptr) > 0;
    }
    queue_.beginWatch();
    auto deadline = Clock::now() + kNextRequestWait;
    bool readable = false;
    // Checked again after beginWatch(), so an arrival just before it is not missed.
    while (!queue_.needsThread()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            break;
        }
        pollfd entries[2] = {{fd, POLLIN, 0}, {queue_.arrivalFd(), POLLIN, 0}};
        int ready = ::poll(entries, 2, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            break;
        }
        if ((entries[1].revents & POLLIN) != 0 && queue_.claimArrival()) {
            break;
        }
        if ((entries[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            readable = true;
            break;
        }
    }
    queue_.endWatch();
    return readable;
}

void ConnectionServer::giveBack(Connection* connection) {
    auto now = Clock::now();
    {
        std::lock_guard lock(registry_mutex_);
        connection->state = Connection::State::Polling;
        // A large pipelined burst must not pin its buffer while the connection idles.
        if (connection->input.capacity() > kMaxIdleBufferCapacity) {
            connection->input.shrink_to_fit();
        }
        // While draining, an idle connection gets only the short grace. If the poll
        // thread has already ended, stop() closes the connection.
        connection->idle_deadline = now + (stopping_ ? kDrainGrace : settings_.keepalive_timeout);
        connection->head_deadline = now + settings_.head_timeout;
    }
    arm(connection, false);
}

}  // namespace valhalla::host::server::connection
