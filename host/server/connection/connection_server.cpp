#include "server/connection/connection_server.hpp"

#include <cerrno>
#include <cstring>
#include <optional>

#include <Poco/Net/SocketAddress.h>

#include "logging/logging.hpp"
#include "server/access_log.hpp"
#include "server/connection/immediate_response.hpp"
#include "server/connection/listen_socket.hpp"
#include "server/connection/thread_sanitizer.hpp"
#include "server/connection/tls_context.hpp"
#include "server/request_id.hpp"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace valhalla::host::server::connection {

namespace {

constexpr int kMaxEvents = 256;
constexpr int kMaxAcceptsPerWakeup = 64;
constexpr auto kSweepInterval = std::chrono::milliseconds(100);
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
constexpr std::size_t kReadChunk = 16 * 1024;
// First byte of a TLS handshake record, which starts every TLS connection.
constexpr unsigned char kTlsHandshakeRecord = 0x16;
// Bytes of a plain HTTP request read and dropped before the 400 on the HTTPS port.
constexpr std::size_t kMaxPlainBytesDropped = 64 * 1024;

// epoll user data of the two descriptors that are not connections.
char listener_tag;
char wake_tag;

Poco::Timespan toTimespan(std::chrono::milliseconds duration) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(duration.count()) * 1000);
}

Poco::Net::SocketAddress localAddressOf(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        return {};
    }
    return Poco::Net::SocketAddress(reinterpret_cast<sockaddr*>(&address), length);
}

}  // namespace

std::uint64_t raiseOpenFileLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return 0;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

ConnectionServer::ConnectionServer(const config::Settings& settings,
                                   Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                                   int listen_fd)
    : settings_(settings),
      tls_context_(settings.tls_certificate.empty() ? nullptr : createTlsContext(settings)),
      factory_(std::move(factory)),
      params_(new Poco::Net::HTTPServerParams),
      listen_fd_(listen_fd),
      queue_(static_cast<std::size_t>(settings.queue_limit)),
      log_(logging::get("server")) {
    params_->setKeepAlive(true);
    params_->setTimeout(toTimespan(settings.head_timeout));
    params_->setKeepAliveTimeout(toTimespan(settings.keepalive_timeout));
    params_->setServerName(settings.host);
    params_->setSoftwareVersion("valhalla");
    limits_.max_head_size = settings.max_head_size;
    limits_.max_line_length = settings.max_header_line;
    limits_.max_header_count = static_cast<std::size_t>(settings.max_header_count);

    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) {
        throw Poco::SystemException("cannot create the poll set", std::strerror(errno));
    }
    epoll_event listener_event{EPOLLIN, {.ptr = &listener_tag}};
    epoll_event wake_event{EPOLLIN, {.ptr = &wake_tag}};
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listener_event);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake_event);
    if (tls_context_) {
        log_->info("HTTPS certificate loaded certificate={} key={}",
                   settings.tls_certificate,
                   settings.tls_key);
    }
}

ConnectionServer::~ConnectionServer() {
    stop();
    if (epoll_fd_ >= 0) {
        ::close(epoll_fd_);
    }
    if (wake_fd_ >= 0) {
        ::close(wake_fd_);
    }
}

void ConnectionServer::start() {
    started_ = true;
    poll_thread_ = std::thread([this] { pollLoop(); });
    for (int i = 0; i < settings_.threads; ++i) {
        request_threads_.emplace_back([this] { requestLoop(); });
    }
}

void ConnectionServer::stop() {
    if (!started_) {
        return;
    }
    started_ = false;
    stopping_ = true;
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof(one));
    poll_thread_.join();
    queue_.close();
    for (auto& thread : request_threads_) {
        thread.join();
    }
    request_threads_.clear();
    // A request thread can hand a connection back while the poll thread stops.
    std::vector<Connection*> remaining;
    {
        std::lock_guard lock(registry_mutex_);
        for (auto& [pointer, owned] : connections_) {
            remaining.push_back(pointer);
        }
    }
    for (Connection* connection : remaining) {
        closeConnection(connection);
    }
}

int ConnectionServer::port() const {
    return localPort(listen_fd_);
}

void ConnectionServer::pollLoop() {
    epoll_event events[kMaxEvents];
    auto next_sweep = Clock::now() + kSweepInterval;
    std::optional<Clock::time_point> drain_deadline;
    while (true) {
        if (stopping_ && !drain_deadline) {
            drain_deadline = beginDrain();
        }
        if (drain_deadline && (connectionCount() == 0 || Clock::now() >= *drain_deadline)) {
            break;
        }
        int count =
            ::epoll_wait(epoll_fd_, events, kMaxEvents, static_cast<int>(kSweepInterval.count()));
        for (int i = 0; i < count; ++i) {
            void* tag = events[i].data.ptr;
            if (tag == &listener_tag) {
                acceptConnections();
            } else if (tag == &wake_tag) {
                std::uint64_t value = 0;
                [[maybe_unused]] auto read_count = ::read(wake_fd_, &value, sizeof(value));
            } else {
                auto* connection = static_cast<Connection*>(tag);
                acquireForThreadSanitizer(connection);
                if (connection->tls && !connection->tls->established()) {
                    continueHandshake(connection);
                } else {
                    readHead(connection);
                }
            }
        }
        auto now = Clock::now();
        if (!stopping_ && accept_paused_until_ != Clock::time_point{} &&
            now >= accept_paused_until_) {
            accept_paused_until_ = {};
            epoll_event listener_event{EPOLLIN, {.ptr = &listener_tag}};
            ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listener_event);
        }
        if (now >= next_sweep) {
            expireConnections(now);
            expireQueuedRequests(now);
            publishGauges();
            next_sweep = now + kSweepInterval;
        }
    }

    std::vector<Connection*> idle;
    {
        std::lock_guard lock(registry_mutex_);
        for (auto& [pointer, owned] : connections_) {
            if (owned->state == Connection::State::Polling) {
                idle.push_back(pointer);
            }
        }
    }
    for (Connection* connection : idle) {
        closeConnection(connection);
    }
    publishGauges();
}

// Runs on the poll thread once per sweep, so the gauges in /metrics lag by at most a
// sweep interval.
void ConnectionServer::publishGauges() {
    if (gauges_ == nullptr) {
        return;
    }
    std::int64_t open = 0;
    std::int64_t idle = 0;
    {
        std::lock_guard lock(registry_mutex_);
        for (const auto& [pointer, owned] : connections_) {
            ++open;
            idle += owned->state == Connection::State::Polling ? 1 : 0;
        }
    }
    gauges_->connections_open.store(open, std::memory_order_relaxed);
    gauges_->connections_idle.store(idle, std::memory_order_relaxed);
    gauges_->queue_length.store(static_cast<std::int64_t>(queue_.size()),
                                std::memory_order_relaxed);
}

void ConnectionServer::countQueueRejection() {
    if (gauges_ != nullptr) {
        gauges_->queue_rejections.fetch_add(1, std::memory_order_relaxed);
    }
}

// Stops accepting and gives idle keep-alive connections a short grace, so a request
// already on its way is still served, with Connection: close. Returns the time by
// which the poll loop ends whatever remains.
Clock::time_point ConnectionServer::beginDrain() {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    ::close(listen_fd_);
    auto now = Clock::now();
    std::lock_guard lock(registry_mutex_);
    for (auto& [pointer, owned] : connections_) {
        if (owned->state == Connection::State::Polling) {
            owned->idle_deadline = std::min(owned->idle_deadline, now + kDrainGrace);
        }
    }
    return now + settings_.drain_timeout;
}

std::size_t ConnectionServer::connectionCount() {
    std::lock_guard lock(registry_mutex_);
    return connections_.size();
}

void ConnectionServer::acceptConnections() {
    for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
        sockaddr_storage address{};
        socklen_t length = sizeof(address);
        int fd = ::accept4(listen_fd_,
                           reinterpret_cast<sockaddr*>(&address),
                           &length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                if (auto suppressed = overload_log_limit_.admit()) {
                    log_->error(
                        "accept failed error=\"{}\" suppressed_since_last={}; pausing accepts for "
                        "100 ms, raise the open-files limit (ulimit -n)",
                        std::strerror(errno),
                        *suppressed);
                }
                ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
                accept_paused_until_ = Clock::now() + kAcceptPause;
            }
            return;
        }
        int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));

        auto connection = std::make_unique<Connection>();
        connection->fd = fd;
        connection->peer = Poco::Net::SocketAddress(reinterpret_cast<sockaddr*>(&address), length);
        connection->local = localAddressOf(fd);
        // A new connection must deliver its first head within the head timeout, which
        // over HTTPS includes the TLS handshake.
        connection->idle_deadline = Clock::now() + settings_.head_timeout;
        if (tls_context_ && !startTls(*connection)) {
            ::close(fd);
            continue;
        }
        Connection* pointer = connection.get();
        {
            std::lock_guard lock(registry_mutex_);
            connections_.emplace(pointer, std::move(connection));
        }
        arm(pointer, true);
    }
}

bool ConnectionServer::startTls(Connection& connection) {
    try {
        connection.tls = std::make_unique<TlsStream>(connection.fd, tls_context_);
        return true;
    } catch (const Poco::Exception& error) {
        if (auto suppressed = overload_log_limit_.admit()) {
            log_->error(
                "cannot start TLS on a new connection; closing it remote={} error=\"{}\" "
                "suppressed_since_last={}",
                connection.peer.toString(),
                error.displayText(),
                *suppressed);
        }
        return false;
    }
}

// Advances the TLS handshake of a new HTTPS connection when its socket is ready, and
// reads the first request head as soon as the handshake completes, because the client
// may have sent it together with its last handshake message.
void ConnectionServer::continueHandshake(Connection* connection) {
    if (!connection->first_byte_checked && !checkFirstByte(connection)) {
        return;
    }
    int result = connection->tls->handshake();
    if (result == 1) {
        readHead(connection);
        return;
    }
    if (result == TlsStream::kFailed) {
        if (auto suppressed = handshake_log_limit_.admit()) {
            log_->info(
                "TLS handshake failed; closing the connection remote={} reason=\"{}\" "
                "suppressed_since_last={}",
                connection->peer.toString(),
                connection->tls->lastError(),
                *suppressed);
        }
        closeConnection(connection);
        return;
    }
    arm(connection, false);
}

// Returns true when the first byte from the client starts a TLS handshake record.
// Otherwise the connection was re-armed because no byte has arrived yet, or it was
// closed, after a 400 when the byte starts a plain HTTP request.
bool ConnectionServer::checkFirstByte(Connection* connection) {
    unsigned char first = 0;
    ssize_t count = ::recv(connection->fd, &first, 1, MSG_PEEK);
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        arm(connection, false);
        return false;
    }
    if (count <= 0) {
        closeConnection(connection);
        return false;
    }
    connection->first_byte_checked = true;
    if (first == kTlsHandshakeRecord) {
        return true;
    }
    // A request line starts with an upper-case method name.
    if (first >= 'A' && first <= 'Z') {
        rejectPlainHttp(connection);
    } else {
        closeConnection(connection);
    }
    return false;
}

// Sends an unencrypted 400 that names the fix to a client that sent plain HTTP to
// the HTTPS port, then closes the connection.
void ConnectionServer::rejectPlainHttp(Connection* connection) {
    if (auto suppressed = handshake_log_limit_.admit()) {
        log_->info(
            "plain HTTP request on the HTTPS port; answering 400 remote={} "
            "suppressed_since_last={}",
            connection->peer.toString(),
            *suppressed);
    }
    // Unread input would make the close reset the connection, and the client could
    // lose the response.
    char buffer[kReadChunk];
    std::size_t dropped = 0;
    ssize_t received = 0;
    while (dropped < kMaxPlainBytesDropped &&
           (received = ::recv(connection->fd, buffer, sizeof(buffer), 0)) > 0) {
        dropped += static_cast<std::size_t>(received);
    }
    writeWithoutWaiting(
        connection->fd,
        loggedImmediateResponse(
            *connection, 400, "this port serves HTTPS: send the request to an https:// URL"));
    ::shutdown(connection->fd, SHUT_WR);
    closeConnection(connection);
}

// Reads until the socket has no more data, or once when `single_read` is set: a
// request thread that polled the socket saves the extra recv that only returns
// EAGAIN.
bool ConnectionServer::readAvailable(Connection& connection, bool single_read) {
    if (connection.tls) {
        return readAvailableTls(connection, single_read);
    }
    char buffer[kReadChunk];
    std::size_t cap = limits_.max_head_size + kBufferedBodyLimit + kReadChunk;
    while (connection.input.size() < cap) {
        ssize_t received = ::recv(connection.fd, buffer, sizeof(buffer), 0);
        if (received > 0) {
            connection.input.append(buffer, static_cast<std::size_t>(received));
            if (single_read) {
                return true;
            }
            continue;
        }
        if (received == 0) {
            connection.peer_closed = true;
            return true;
        }
        if (errno == EINTR) {
            continue;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    return true;
}

// Reads and decrypts until OpenSSL needs more bytes from the socket or the input
// reaches its limit, or with `single_read` until OpenSSL keeps no decrypted bytes.
// Below the limit no decrypted bytes stay in OpenSSL, where the poll set cannot see
// them.
bool ConnectionServer::readAvailableTls(Connection& connection, bool single_read) {
    char buffer[kReadChunk];
    std::size_t cap = limits_.max_head_size + kBufferedBodyLimit + kReadChunk;
    while (connection.input.size() < cap) {
        int received = connection.tls->receive(buffer, sizeof(buffer));
        if (received > 0) {
            connection.input.append(buffer, static_cast<std::size_t>(received));
            if (single_read && connection.tls->pending() == 0) {
                return true;
            }
            continue;
        }
        if (received == 0) {
            connection.peer_closed = true;
            return true;
        }
        if (received == TlsStream::kFailed) {
            log_->debug("TLS receive failed remote={} error=\"{}\"",
                        connection.peer.toString(),
                        connection.tls->lastError());
            return false;
        }
        return true;
    }
    return true;
}

void ConnectionServer::readHead(Connection* connection) {
    bool had_input = !connection->input.empty();
    if (!readAvailable(*connection)) {
        closeConnection(connection);
        return;
    }
    HeadScan scan = scanRequestHead(connection->input, limits_);
    switch (scan.kind) {
        case HeadScan::Kind::Complete:
            if (bodyCutShort(*connection, scan)) {
                rejectCutShortBody(connection, scan);
                return;
            }
            if (!awaitsBufferedBody(*connection, scan)) {
                handOff(connection, scan);
                return;
            }
            break;
        case HeadScan::Kind::TooLarge:
        case HeadScan::Kind::Invalid:
            rejectHead(connection, scan);
            return;
        case HeadScan::Kind::Incomplete:
            break;
    }
    if (connection->peer_closed) {
        closeConnection(connection);
        return;
    }
    if (!had_input && !connection->input.empty()) {
        connection->head_deadline = Clock::now() + settings_.head_timeout;
    }
    arm(connection, false);
}

bool ConnectionServer::awaitsBufferedBody(const Connection& connection, const HeadScan& scan) {
    if (scan.kind != HeadScan::Kind::Complete || !scan.has_content_length || scan.chunked ||
        scan.expect_continue || scan.content_length > kBufferedBodyLimit ||
        connection.peer_closed) {
        return false;
    }
    return connection.input.size() < scan.head_size + scan.content_length;
}

bool ConnectionServer::bodyCutShort(const Connection& connection, const HeadScan& scan) {
    // Once the client has closed its side, the input contains everything it sent.
    return scan.kind == HeadScan::Kind::Complete && scan.has_content_length &&
           connection.peer_closed && connection.input.size() < scan.head_size + scan.content_length;
}

void ConnectionServer::rejectCutShortBody(Connection* connection, const HeadScan& scan) {
    std::size_t received = connection->input.size() - scan.head_size;
    rejectAndClose(connection,
                   400,
                   "the client closed the connection after " + std::to_string(received) +
                       " of the " + std::to_string(scan.content_length) +
                       " body bytes in Content-Length; the request was not served");
}

void ConnectionServer::handOff(Connection* connection, const HeadScan& scan) {
    connection->head = scan;
    {
        std::lock_guard lock(registry_mutex_);
        connection->state = Connection::State::Queued;
        connection->queued_at = Clock::now();
    }
    if (!queue_.push(connection)) {
        countQueueRejection();
        if (auto suppressed = overload_log_limit_.admit()) {
            log_->warn(
                "request queue full; answering 503 queue_limit={} remote={} "
                "suppressed_since_last={}",
                settings_.queue_limit,
                connection->peer.toString(),
                *suppressed);
        }
        rejectAndClose(connection,
                       503,
                       "the server is overloaded: too many requests are waiting; retry shortly",
                       {{"Retry-After", "1"}});
    }
}

void ConnectionServer::rejectHead(Connection* connection, const HeadScan& scan) {
    if (auto suppressed = rejected_log_limit_.admit()) {
        log_->info(
            "request rejected before routing remote={} status={} reason=\"{}\" "
            "suppressed_since_last={}",
            connection->peer.toString(),
            scan.status,
            scan.reason,
            *suppressed);
    }
    rejectAndClose(connection, scan.status, scan.reason);
}

void ConnectionServer::expireQueuedRequests(Clock::time_point now) {
    for (Connection* connection : queue_.takeQueuedBefore(now - settings_.queue_timeout)) {
        rejectLateRequest(connection);
    }
}

void ConnectionServer::rejectLateRequest(Connection* connection) {
    countQueueRejection();
    if (auto suppressed = overload_log_limit_.admit()) {
        log_->warn(
            "request waited longer than the queue timeout; answering 503 remote={} "
            "queue_timeout_ms={} suppressed_since_last={}",
            connection->peer.toString(),
            settings_.queue_timeout.count(),
            *suppressed);
    }
    rejectAndClose(connection,
                   503,
                   "the server is overloaded: the request waited too long for a thread; "
                   "retry shortly",
                   {{"Retry-After", "1"}});
}

void ConnectionServer::expireConnections(Clock::time_point now) {
    std::vector<Connection*> expired;
    {
        std::lock_guard lock(registry_mutex_);
        for (auto& [pointer, owned] : connections_) {
            // Only the poll thread touches a polling connection, so reading it is safe.
            if (owned->state != Connection::State::Polling) {
                continue;
            }
            auto deadline = owned->input.empty() ? owned->idle_deadline : owned->head_deadline;
            if (now >= deadline) {
                expired.push_back(pointer);
            }
        }
    }
    for (Connection* connection : expired) {
        if (connection->input.empty()) {
            closeConnection(connection);
            continue;
        }
        // A complete head here means that the poll thread waited for a small body.
        bool head_complete =
            scanRequestHead(connection->input, limits_).kind == HeadScan::Kind::Complete;
        const char* part = head_complete ? "body" : "head";
        if (auto suppressed = slow_client_log_limit_.admit()) {
            log_->warn(
                "request {} timed out; closing slow client remote={} bytes_received={} "
                "head_timeout_ms={} suppressed_since_last={}; raise server.head_timeout if "
                "legitimate clients are this slow",
                part,
                connection->peer.toString(),
                connection->input.size(),
                settings_.head_timeout.count(),
                *suppressed);
        }
        rejectAndClose(connection,
                       408,
                       std::string("the request ") + part +
                           " did not arrive within the head timeout (server.head_timeout)");
    }
}

void ConnectionServer::arm(Connection* connection, bool add) {
    std::uint32_t readiness = connection->tls && connection->tls->wantsWrite() ? EPOLLOUT : EPOLLIN;
    epoll_event event{readiness | EPOLLRDHUP | EPOLLONESHOT, {.ptr = connection}};
    int fd = connection->fd;
    // Once epoll_ctl has armed it, the poll thread may take the connection over.
    releaseForThreadSanitizer(connection);
    if (::epoll_ctl(epoll_fd_, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) != 0) {
        log_->error("cannot watch connection remote={} error=\"{}\"",
                    connection->peer.toString(),
                    std::strerror(errno));
        closeConnection(connection);
    }
}

// Builds a response that the connection layer sends without a request thread and
// writes its access record, so that its request id appears in the log like any other.
std::string ConnectionServer::loggedImmediateResponse(
    const Connection& connection,
    int status,
    const std::string& detail,
    const std::vector<std::pair<std::string, std::string>>& headers) {
    AccessRecord record;
    record.remote_address = connection.peer.host().toString();
    record.method = "-";
    record.path = "-";
    record.status = status;
    record.request_id = newRequestId();
    record.plugin = "host";
    record.route = "-";
    std::string response = immediateResponse(status, detail, record.request_id, headers);
    record.bytes = static_cast<std::int64_t>(response.size() - response.find("\r\n\r\n") - 4);
    logAccess(record);
    return response;
}

void ConnectionServer::rejectAndClose(
    Connection* connection,
    int status,
    const std::string& detail,
    const std::vector<std::pair<std::string, std::string>>& headers) {
    writeImmediate(*connection, loggedImmediateResponse(*connection, status, detail, headers));
    // Half-close first so the response is not lost to a reset caused by unread input.
    ::shutdown(connection->fd, SHUT_WR);
    closeConnection(connection);
}

// Sends a short response without waiting for the socket, so a client that does not
// read loses it. Over TLS, close_notify follows it.
void ConnectionServer::writeImmediate(Connection& connection, const std::string& response) {
    if (!connection.tls) {
        writeWithoutWaiting(connection.fd, response);
        return;
    }
    if (connection.tls->established()) {
        connection.tls->send(response.data(), static_cast<int>(response.size()));
    }
    connection.tls->close();
}

void ConnectionServer::closeConnection(Connection* connection) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection->fd, nullptr);
    // close_notify goes out while the descriptor is still this connection's; after
    // close() another thread may reuse its number.
    if (connection->tls) {
        connection->tls->close();
    }
    ::close(connection->fd);
    std::lock_guard lock(registry_mutex_);
    connections_.erase(connection);
}

}  // namespace valhalla::host::server::connection
