#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace valhalla::test {
namespace {

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;
using namespace std::chrono_literals;

constexpr Milliseconds kReadTimeout{3000};
constexpr Milliseconds kConnectTimeout{2000};
constexpr std::size_t kMaxPrintedBytes = 400;

Milliseconds elapsedSince(Clock::time_point start) {
    return std::chrono::duration_cast<Milliseconds>(Clock::now() - start);
}

// Shows bytes in a failure message with CR, LF and other control bytes escaped.
std::string printable(std::string_view bytes) {
    std::string text;
    for (char c : bytes.substr(0, kMaxPrintedBytes)) {
        if (c == '\r') {
            text += "\\r";
        } else if (c == '\n') {
            text += "\\n";
        } else if (std::isprint(static_cast<unsigned char>(c))) {
            text += c;
        } else {
            text += "\\x" + std::to_string(static_cast<unsigned char>(c));
        }
    }
    if (bytes.size() > kMaxPrintedBytes) {
        text += "... (" + std::to_string(bytes.size()) + " bytes)";
    }
    return text;
}

std::string toLower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return text;
}

bool isDecimal(const std::string& text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isdigit(c) != 0;
    });
}

/// A response as parsed from the raw bytes of a connection.
struct RawResponse {
    std::string version;
    int status = 0;
    std::string reason;
    /// Header names in lower case. A repeated header keeps its last value.
    std::map<std::string, std::string> headers;
    std::string body;

    std::string header(const std::string& name) const {
        auto found = headers.find(toLower(name));
        return found == headers.end() ? std::string() : found->second;
    }

    bool hasHeader(const std::string& name) const { return headers.count(toLower(name)) > 0; }
};

// Parses a status line and header lines, without the final empty line. Returns an
// error message, or an empty string on success.
std::string parseResponseHead(std::string_view head, RawResponse& response) {
    std::size_t line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    std::size_t first_space = status_line.find(' ');
    if (first_space == std::string_view::npos || status_line.size() < first_space + 4 ||
        !std::isdigit(static_cast<unsigned char>(status_line[first_space + 1]))) {
        return "malformed status line '" + printable(status_line) + "'";
    }
    response.version = std::string(status_line.substr(0, first_space));
    response.status = std::stoi(std::string(status_line.substr(first_space + 1, 3)));
    if (status_line.size() > first_space + 5) {
        response.reason = std::string(status_line.substr(first_space + 5));
    }

    std::string_view rest =
        line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    while (!rest.empty()) {
        line_end = rest.find("\r\n");
        std::string_view line = rest.substr(0, line_end);
        rest = line_end == std::string_view::npos ? std::string_view() : rest.substr(line_end + 2);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            return "malformed header line '" + printable(line) + "'";
        }
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
        response.headers[toLower(std::string(line.substr(0, colon)))] = std::string(value);
    }
    return {};
}

// Returns the body length that the response head declares. 1xx, 204 and 304
// responses have no body. Returns std::nullopt when the length is unknown.
std::optional<std::size_t> declaredBodyLength(const RawResponse& response) {
    if (response.status < 200 || response.status == 204 || response.status == 304) {
        return 0;
    }
    std::string length = response.header("content-length");
    if (!isDecimal(length) || length.size() > 12) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(std::stoull(length));
}

/// A client TCP connection to 127.0.0.1 that sends raw bytes and parses responses,
/// with a deadline on every wait.
class RawConnection {
public:
    /// Connects within kConnectTimeout. Throws std::runtime_error on failure.
    explicit RawConnection(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd_ < 0) {
            throw std::runtime_error(std::string("socket failed: ") + std::strerror(errno));
        }
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 &&
            errno != EINPROGRESS) {
            throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
        }
        pollfd entry{fd_, POLLOUT, 0};
        int error = 0;
        socklen_t length = sizeof(error);
        if (::poll(&entry, 1, static_cast<int>(kConnectTimeout.count())) != 1 ||
            ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
            ::close(fd_);
            fd_ = -1;
            throw std::runtime_error("connecting to 127.0.0.1:" + std::to_string(port) +
                                     " failed or timed out: " + std::strerror(error));
        }
    }

    ~RawConnection() { close(); }

    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    /// Sends all of `bytes`. Returns false, with error(), when the connection fails or
    /// the bytes cannot be sent within `timeout`.
    bool send(std::string_view bytes, Milliseconds timeout = kReadTimeout) {
        auto deadline = Clock::now() + timeout;
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            ssize_t count = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (count > 0) {
                sent += static_cast<std::size_t>(count);
                continue;
            }
            if (count < 0 && errno == EINTR) {
                continue;
            }
            if (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                error_ = std::string("send failed: ") + std::strerror(errno);
                return false;
            }
            if (!waitFor(POLLOUT, deadline)) {
                error_ = "send timed out after " + std::to_string(sent) + " bytes";
                return false;
            }
        }
        return true;
    }

    /// Reads one response with a Content-Length body, or a 1xx, 204 or 304 response.
    /// Bytes after it stay buffered for the next call. Returns std::nullopt, with
    /// error(), when the connection closes or `timeout` passes first.
    std::optional<RawResponse> readResponse(Milliseconds timeout = kReadTimeout) {
        auto deadline = Clock::now() + timeout;
        std::size_t head_end = buffer_.find("\r\n\r\n");
        while (head_end == std::string::npos) {
            if (!readMore(deadline, "a complete response head")) {
                return std::nullopt;
            }
            head_end = buffer_.find("\r\n\r\n");
        }

        RawResponse response;
        std::string parse_error =
            parseResponseHead(std::string_view(buffer_).substr(0, head_end), response);
        if (!parse_error.empty()) {
            error_ = parse_error + "; received: " + printable(buffer_);
            return std::nullopt;
        }
        std::optional<std::size_t> body_length = declaredBodyLength(response);
        if (!body_length) {
            error_ = "response without a usable Content-Length: " + printable(buffer_);
            return std::nullopt;
        }

        std::size_t total = head_end + 4 + *body_length;
        while (buffer_.size() < total) {
            if (!readMore(deadline, "the whole response body")) {
                return std::nullopt;
            }
        }
        response.body = buffer_.substr(head_end + 4, *body_length);
        buffer_.erase(0, total);
        return response;
    }

    /// Reads until the server closes the connection (end of stream or reset). Returns
    /// false when it is still open after `timeout`. The bytes received meanwhile,
    /// together with any bytes left unparsed, are in trailingBytes().
    bool readUntilClosed(Milliseconds timeout = kReadTimeout) {
        auto deadline = Clock::now() + timeout;
        while (!closed_) {
            if (!readMore(deadline, "the end of the connection") && !closed_) {
                return false;
            }
        }
        return true;
    }

    /// Reads until at least `count` bytes are buffered. Returns false, with error(),
    /// when the connection closes or `timeout` passes first.
    bool readAtLeast(std::size_t count, Milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        while (buffer_.size() < count) {
            if (!readMore(deadline, std::to_string(count) + " bytes")) {
                return false;
            }
        }
        return true;
    }

    /// Reads whatever has arrived without waiting; notes a closed connection.
    void readAvailable() {
        constexpr int kMaxReads = 64;
        for (int i = 0; i < kMaxReads && !closed_; ++i) {
            if (!readMore(Clock::now(), "available bytes")) {
                return;
            }
        }
    }

    /// Closes the client side now, dropping unread bytes (the kernel then sends a reset).
    void close() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

    /// Closes the sending side only, as a client does that has sent everything and
    /// still reads the response.
    void closeSending() { ::shutdown(fd_, SHUT_WR); }

    /// Whether the server closed or reset the connection.
    bool closedByServer() const { return closed_; }

    bool hasCompleteHead() const { return buffer_.find("\r\n\r\n") != std::string::npos; }

    const std::string& trailingBytes() const { return buffer_; }

    const std::string& error() const { return error_; }

private:
    bool waitFor(short events, Clock::time_point deadline) {
        auto remaining = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now());
        if (remaining.count() < 0) {
            return false;
        }
        pollfd entry{fd_, events, 0};
        int ready = ::poll(&entry, 1, static_cast<int>(remaining.count()));
        return ready > 0;
    }

    // Appends the next bytes to the buffer. Returns false, with error(), at the end of
    // the stream, on a reset, on another error, or when `deadline` passes.
    bool readMore(Clock::time_point deadline, const std::string& waiting_for) {
        char chunk[16 * 1024];
        while (true) {
            ssize_t count = ::recv(fd_, chunk, sizeof(chunk), 0);
            if (count > 0) {
                buffer_.append(chunk, static_cast<std::size_t>(count));
                return true;
            }
            if (count == 0 || errno == ECONNRESET) {
                closed_ = true;
                error_ = std::string(count == 0 ? "connection closed" : "connection reset") +
                         " while waiting for " + waiting_for + "; received: " + printable(buffer_);
                return false;
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                error_ = std::string("recv failed: ") + std::strerror(errno);
                return false;
            }
            if (Clock::now() >= deadline || !waitFor(POLLIN, deadline)) {
                error_ =
                    "timed out waiting for " + waiting_for + "; received: " + printable(buffer_);
                return false;
            }
        }
    }

    int fd_ = -1;
    std::string buffer_;
    std::string error_;
    bool closed_ = false;
};

std::string getRequest(const std::string& target, const std::string& extra_headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

std::string postRequest(const std::string& target,
                        const std::string& body,
                        const std::string& extra_headers = "") {
    return "POST " + target +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n" + extra_headers + "\r\n" + body;
}

std::string chunkedPostHead(const std::string& target, const std::string& extra_headers = "") {
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n" +
           extra_headers + "\r\n";
}

/// Starts the server with the hello plugin, the sleeper test plugin and any of
/// `extra_bundled` plugins. `defines` are `key=value` settings for `--define`.
std::unique_ptr<ServerProcess> startServer(
    const std::vector<std::string>& defines = {},
    const std::map<std::string, std::string>& environment = {},
    const std::vector<std::string>& extra_bundled = {}) {
    std::string plugin_directory = makeTemporaryDirectory();
    std::vector<std::string> bundled = {"hello"};
    bundled.insert(bundled.end(), extra_bundled.begin(), extra_bundled.end());
    populatePluginDirectory(plugin_directory, bundled, {"sleeper"});
    ServerOptions options;
    options.environment = environment;
    options.environment["PLUGIN_DIR"] = plugin_directory;
    for (const auto& define : defines) {
        options.arguments.push_back("--define");
        options.arguments.push_back(define);
    }
    return ServerProcess::start(options);
}

// Whether `pid` is a live process, not a zombie. Reads /proc so it never reaps.
bool isRunning(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::size_t name_end = text.rfind(')');
    if (name_end == std::string::npos || name_end + 2 >= text.size()) {
        return false;
    }
    char state = text[name_end + 2];
    return state != 'Z' && state != 'X';
}

// Checks that a fresh connection gets 200 from GET /hello within a few seconds, that
// the server process still runs, and that no worker process died.
void expectServerHealthy(const ServerProcess& server) {
    RawConnection connection(server.port());

    bool sent = connection.send(getRequest("/hello"));
    auto response = connection.readResponse();

    EXPECT_TRUE(sent) << connection.error();
    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"message":"hello"})");
    EXPECT_TRUE(isRunning(server.pid())) << server.log();
    EXPECT_EQ(server.log().find("worker died"), std::string::npos) << server.log();
}

// Sends `request` on a fresh connection and checks that the server responds with
// `status` and `Connection: close`, sends nothing more, and closes the connection.
void expectRejectedAndClosed(int port, const std::string& request, int status) {
    RawConnection connection(port);

    bool sent = connection.send(request);
    auto response = connection.readResponse();
    bool closed = connection.readUntilClosed();

    EXPECT_TRUE(sent) << connection.error();
    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, status) << response->body;
    EXPECT_EQ(toLower(response->header("connection")), "close");
    EXPECT_TRUE(closed) << connection.error();
    EXPECT_EQ(connection.trailingBytes(), "");
}

// Sends a chunked POST /test/body-size with `body` and a pipelined GET /hello on one
// connection, and checks both responses.
void expectChunkedThenHello(int port, const std::string& body, const std::string& counted) {
    RawConnection connection(port);

    ASSERT_TRUE(connection.send(chunkedPostHead("/test/body-size") + body + getRequest("/hello")))
        << connection.error();
    auto counted_response = connection.readResponse();
    auto next = connection.readResponse();

    ASSERT_TRUE(counted_response) << connection.error();
    EXPECT_EQ(counted_response->status, 200);
    EXPECT_EQ(counted_response->body, counted);
    ASSERT_TRUE(next) << connection.error();
    EXPECT_EQ(next->status, 200);
    EXPECT_EQ(next->body, R"({"message":"hello"})");
}

TEST(ConnectionLayer, IdleConnectionsDoNotHoldThreads) {
    constexpr int kIdleConnections = 200;
    auto server = startServer({}, {{"SERVER_THREADS", "2"}});
    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < kIdleConnections; ++i) {
        idle.push_back(std::make_unique<RawConnection>(server->port()));
        ASSERT_TRUE(idle.back()->send(getRequest("/hello"))) << idle.back()->error();
    }
    int answered = 0;
    for (auto& connection : idle) {
        auto response = connection->readResponse();
        answered += response && response->status == 200 ? 1 : 0;
    }

    auto started = Clock::now();
    RawConnection fresh(server->port());
    ASSERT_TRUE(fresh.send(getRequest("/hello"))) << fresh.error();
    auto response = fresh.readResponse(2000ms);
    auto elapsed = elapsedSince(started);
    ASSERT_TRUE(idle.front()->send(getRequest("/hello"))) << idle.front()->error();
    auto reused = idle.front()->readResponse();

    EXPECT_EQ(answered, kIdleConnections);
    ASSERT_TRUE(response) << fresh.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_LT(elapsed, 500ms);
    ASSERT_TRUE(reused) << idle.front()->error();
    EXPECT_EQ(reused->status, 200);
}

// Outcome of one slow-header client.
struct SlowClient {
    std::unique_ptr<RawConnection> connection;
    Clock::time_point started;
    std::size_t sent = 0;
    std::optional<Milliseconds> closed_after;
    std::optional<int> status;
};

// Outcome of one normal request made while slow clients are connected.
struct QuickRequest {
    int status = 0;
    Milliseconds elapsed{0};
    std::string error;
};

QuickRequest timedHello(int port) {
    QuickRequest result;
    auto started = Clock::now();
    try {
        RawConnection connection(port);
        std::optional<RawResponse> response;
        if (connection.send(getRequest("/hello"))) {
            response = connection.readResponse(2000ms);
        }
        result.status = response ? response->status : 0;
        result.error = connection.error();
    } catch (const std::exception& error) {
        result.error = error.what();
    }
    result.elapsed = elapsedSince(started);
    return result;
}

// Sends the next byte of `head` unless the server has closed the connection or sent a
// response.
void advanceSlowClient(SlowClient& client, const std::string& head) {
    client.connection->readAvailable();
    if (client.connection->hasCompleteHead()) {
        auto response = client.connection->readResponse(0ms);
        client.status = response ? response->status : -1;
    }
    bool stopped = client.connection->closedByServer() || client.status.has_value();
    if (!stopped && client.sent < head.size()) {
        stopped = !client.connection->send(std::string_view(head).substr(client.sent, 1), 300ms);
        ++client.sent;
    }
    if (stopped && !client.closed_after) {
        client.closed_after = elapsedSince(client.started);
    }
}

TEST(ConnectionLayer, SlowHeaderClientsTimeOut) {
    constexpr int kSlowClients = 40;
    constexpr auto kByteInterval = 300ms;
    constexpr auto kMaxDuration = 6s;
    auto server = startServer({"server.head_timeout=2s"});
    const std::string head =
        "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(100, 's') + "\r\n\r\n";
    std::vector<SlowClient> clients(kSlowClients);
    for (auto& client : clients) {
        client.connection = std::make_unique<RawConnection>(server->port());
        client.started = Clock::now();
        advanceSlowClient(client, head);
    }
    std::atomic<bool> done{false};
    std::vector<QuickRequest> quick_requests;
    std::thread quick_client([&] {
        for (int i = 0; i < 16 && !done; ++i) {
            quick_requests.push_back(timedHello(server->port()));
            std::this_thread::sleep_for(250ms);
        }
    });

    auto started = Clock::now();
    while (Clock::now() - started < kMaxDuration) {
        std::this_thread::sleep_for(kByteInterval);
        bool all_closed = true;
        for (auto& client : clients) {
            advanceSlowClient(client, head);
            all_closed = all_closed && client.closed_after.has_value();
        }
        if (all_closed) {
            break;
        }
    }
    done = true;
    quick_client.join();

    for (std::size_t i = 0; i < clients.size(); ++i) {
        SCOPED_TRACE("slow client " + std::to_string(i));
        const SlowClient& client = clients[i];
        ASSERT_TRUE(client.closed_after) << "still open after " << client.sent << " bytes";
        EXPECT_GE(*client.closed_after, 1500ms);
        EXPECT_LE(*client.closed_after, 4000ms);
        EXPECT_LT(client.sent, head.size());
        if (client.status) {
            EXPECT_EQ(*client.status, 408);
        }
    }
    ASSERT_FALSE(quick_requests.empty());
    for (std::size_t i = 0; i < quick_requests.size(); ++i) {
        SCOPED_TRACE("normal request " + std::to_string(i));
        EXPECT_EQ(quick_requests[i].status, 200) << quick_requests[i].error;
        EXPECT_LT(quick_requests[i].elapsed, 500ms);
    }
}

TEST(ConnectionLayer, IdleKeepAliveClosedAfterTimeout) {
    auto server = startServer({"server.keepalive_timeout=1s"});
    RawConnection connection(server->port());
    ASSERT_TRUE(connection.send(getRequest("/hello"))) << connection.error();
    auto response = connection.readResponse();
    ASSERT_TRUE(response) << connection.error();

    auto idle_since = Clock::now();
    bool closed = connection.readUntilClosed(4000ms);
    auto idle_for = elapsedSince(idle_since);

    EXPECT_EQ(response->status, 200);
    EXPECT_TRUE(closed) << connection.error();
    EXPECT_GE(idle_for, 800ms);
    EXPECT_LE(idle_for, 2500ms);
    EXPECT_EQ(connection.trailingBytes(), "");
}

TEST(ConnectionLayer, PipelinedRequestsServedInOrder) {
    auto server = startServer();
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send(getRequest("/test/sleep?ms=200") + getRequest("/hello") +
                                getRequest("/test/sleep?ms=0")))
        << connection.error();
    auto first = connection.readResponse();
    auto second = connection.readResponse();
    auto third = connection.readResponse();

    ASSERT_TRUE(first) << connection.error();
    EXPECT_EQ(first->status, 200);
    EXPECT_EQ(first->body, R"({"slept_ms":200})");
    ASSERT_TRUE(second) << connection.error();
    EXPECT_EQ(second->status, 200);
    EXPECT_EQ(second->body, R"({"message":"hello"})");
    ASSERT_TRUE(third) << connection.error();
    EXPECT_EQ(third->status, 200);
    EXPECT_EQ(third->body, R"({"slept_ms":0})");
}

// Each slow sender announces a small body and stops after one byte. The poll thread
// waits for such bodies, so they hold none of the two request threads.
TEST(ConnectionLayer, SlowBodySendersHoldNoThread) {
    constexpr int kSlowSenders = 8;
    auto server = startServer({"server.head_timeout=2s"}, {{"SERVER_THREADS", "2"}});
    std::vector<std::unique_ptr<RawConnection>> senders;
    for (int i = 0; i < kSlowSenders; ++i) {
        senders.push_back(std::make_unique<RawConnection>(server->port()));
        std::string request = postRequest("/test/body-size", std::string(100, 'b'));
        ASSERT_TRUE(senders.back()->send(request.substr(0, request.size() - 99)))
            << senders.back()->error();
    }
    std::this_thread::sleep_for(200ms);

    std::vector<QuickRequest> quick_requests;
    for (int i = 0; i < 4; ++i) {
        quick_requests.push_back(timedHello(server->port()));
    }
    auto waited_from = Clock::now();
    std::vector<std::optional<RawResponse>> timed_out;
    for (auto& sender : senders) {
        timed_out.push_back(sender->readResponse(5000ms));
    }
    auto waited = elapsedSince(waited_from);

    for (std::size_t i = 0; i < quick_requests.size(); ++i) {
        SCOPED_TRACE("normal request " + std::to_string(i));
        EXPECT_EQ(quick_requests[i].status, 200) << quick_requests[i].error;
        EXPECT_LT(quick_requests[i].elapsed, 500ms);
    }
    for (std::size_t i = 0; i < timed_out.size(); ++i) {
        SCOPED_TRACE("slow sender " + std::to_string(i));
        ASSERT_TRUE(timed_out[i]) << senders[i]->error();
        EXPECT_EQ(timed_out[i]->status, 408);
        EXPECT_NE(timed_out[i]->body.find("body"), std::string::npos) << timed_out[i]->body;
    }
    EXPECT_LT(waited, 4000ms);
}

TEST(ConnectionLayer, SlowBodyOnKeptConnectionHoldsNoThread) {
    auto server = startServer({"server.head_timeout=2s"}, {{"SERVER_THREADS", "1"}});
    RawConnection sender(server->port());
    ASSERT_TRUE(sender.send(getRequest("/hello"))) << sender.error();
    ASSERT_TRUE(sender.readResponse()) << sender.error();
    std::string request = postRequest("/test/body-size", std::string(100, 'b'));
    ASSERT_TRUE(sender.send(request.substr(0, request.size() - 99))) << sender.error();
    std::this_thread::sleep_for(200ms);

    QuickRequest quick = timedHello(server->port());
    auto timed_out = sender.readResponse(5000ms);

    EXPECT_EQ(quick.status, 200) << quick.error;
    EXPECT_LT(quick.elapsed, 500ms);
    ASSERT_TRUE(timed_out) << sender.error();
    EXPECT_EQ(timed_out->status, 408);
}

// A body too large for the poll thread streams through a request thread, where a
// client that sends slower than the minimum rate loses the connection.
TEST(ConnectionLayer, SlowLargeBodyIsCutOff) {
    constexpr std::size_t kBodySize = 200 * 1024;
    constexpr std::size_t kPiece = 2 * 1024;
    auto server = startServer({"server.head_timeout=2s"});
    RawConnection connection(server->port());
    std::string request = postRequest("/test/body-size", std::string(kBodySize, 'b'));
    std::size_t offset = request.size() - kBodySize;
    ASSERT_TRUE(connection.send(request.substr(0, offset))) << connection.error();

    // 2 KiB a second: the 2 s timeout plus one second per 8 KiB runs out after
    // about 3 s of sending, long before the 100 s this body would take.
    auto started = Clock::now();
    std::optional<RawResponse> response;
    while (offset < request.size() && Clock::now() - started < 10s) {
        if (!connection.send(request.substr(offset, kPiece))) {
            break;
        }
        offset += kPiece;
        response = connection.readResponse(1000ms);
        if (response || connection.closedByServer()) {
            break;
        }
    }
    auto elapsed = elapsedSince(started);

    EXPECT_TRUE(response || connection.closedByServer()) << "sent " << offset << " bytes";
    if (response) {
        EXPECT_GE(response->status, 400);
    }
    EXPECT_LT(elapsed, 8000ms);
    EXPECT_EQ(httpRequest(server->port(), "GET", "/hello").status, 200);
}

TEST(ConnectionLayer, SlowJsonBodyGets408) {
    constexpr std::size_t kBodySize = 200 * 1024;
    constexpr std::size_t kPiece = 2 * 1024;
    auto server = startServer({"server.head_timeout=2s"}, {}, {"items"});
    RawConnection connection(server->port());
    std::string body =
        R"({"name":"slow","price":"1.00","description":")" + std::string(kBodySize, 'd') + R"("})";
    std::string request =
        "POST /api/v1/items HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    std::size_t offset = request.size() - body.size();
    ASSERT_TRUE(connection.send(request.substr(0, offset))) << connection.error();

    // 2 KiB a second runs out the 2 s timeout plus one second per 8 KiB after about
    // 3 s, in the middle of the body.
    std::optional<RawResponse> response;
    auto started = Clock::now();
    while (offset < request.size() && Clock::now() - started < 10s) {
        if (!connection.send(request.substr(offset, kPiece))) {
            break;
        }
        offset += kPiece;
        response = connection.readResponse(1000ms);
        if (response || connection.closedByServer()) {
            break;
        }
    }

    ASSERT_TRUE(response) << "sent " << offset << " bytes; " << connection.error();
    EXPECT_EQ(response->status, 408) << response->body;
    EXPECT_NE(response->body.find("server.head_timeout"), std::string::npos) << response->body;
    EXPECT_EQ(toLower(response->header("connection")), "close");
    EXPECT_EQ(httpRequest(server->port(), "GET", "/hello").status, 200);
}

TEST(ConnectionLayer, FastLargeBodyIsRead) {
    auto server = startServer({"server.head_timeout=2s"});
    RawConnection connection(server->port());
    std::string body(1024 * 1024, 'b');

    ASSERT_TRUE(connection.send(postRequest("/test/body-size", body))) << connection.error();
    auto response = connection.readResponse();

    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"bytes":1048576})");
}

TEST(ConnectionLayer, BodySplitAcrossWrites) {
    auto server = startServer();
    RawConnection connection(server->port());
    const std::string body(30, 'b');
    const std::string request = postRequest("/test/body-size", body);
    const std::size_t head_size = request.size() - body.size();

    ASSERT_TRUE(connection.send(request.substr(0, head_size - 10))) << connection.error();
    std::this_thread::sleep_for(150ms);
    ASSERT_TRUE(connection.send(request.substr(head_size - 10, 20))) << connection.error();
    for (std::size_t offset = head_size + 10; offset < request.size(); offset += 10) {
        std::this_thread::sleep_for(200ms);
        ASSERT_TRUE(connection.send(request.substr(offset, 10))) << connection.error();
    }
    auto response = connection.readResponse();
    ASSERT_TRUE(connection.send(getRequest("/hello"))) << connection.error();
    auto next = connection.readResponse();

    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"bytes":30})");
    ASSERT_TRUE(next) << connection.error();
    EXPECT_EQ(next->status, 200);
}

TEST(ConnectionLayer, UnreadBodyThenNextRequest) {
    auto server = startServer();
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send(postRequest("/test/ignore-body", std::string(100, 'u')) +
                                getRequest("/hello")))
        << connection.error();
    auto ignored = connection.readResponse();
    auto next = connection.readResponse();

    ASSERT_TRUE(ignored) << connection.error();
    EXPECT_EQ(ignored->status, 200);
    EXPECT_EQ(ignored->body, R"({"read":false})");
    ASSERT_TRUE(next) << connection.error();
    EXPECT_EQ(next->status, 200);
    EXPECT_EQ(next->body, R"({"message":"hello"})");
}

TEST(ConnectionLayer, Http10ResponseClosesConnection) {
    auto server = startServer();
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send("GET /hello HTTP/1.0\r\n\r\n")) << connection.error();
    auto response = connection.readResponse();
    bool closed = connection.readUntilClosed();

    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->version, "HTTP/1.0");
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(toLower(response->header("connection")), "close");
    EXPECT_EQ(response->body, R"({"message":"hello"})");
    EXPECT_TRUE(closed) << connection.error();
    EXPECT_EQ(connection.trailingBytes(), "");
}

TEST(ConnectionLayer, ConnectionCloseHonoured) {
    auto server = startServer();
    RawConnection connection(server->port());

    ASSERT_TRUE(
        connection.send(getRequest("/hello", "Connection: close\r\n") + getRequest("/hello")))
        << connection.error();
    auto response = connection.readResponse();
    bool closed = connection.readUntilClosed();

    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(toLower(response->header("connection")), "close");
    EXPECT_TRUE(closed) << connection.error();
    EXPECT_EQ(connection.trailingBytes(), "");
}

TEST(ConnectionLayer, ChunkedBodyThenPipelinedRequest) {
    struct Case {
        const char* name;
        std::string body;
        const char* counted;
    };

    const std::vector<Case> cases = {
        {"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", R"({"bytes":11})"},
        {"chunk extensions", "5;a=b\r\nhello\r\n6;c\r\n world\r\n0;d\r\n\r\n", R"({"bytes":11})"},
        {"one trailer field", "5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n", R"({"bytes":5})"},
        {"two trailer fields", "5\r\nhello\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n", R"({"bytes":5})"},
    };
    auto server = startServer();

    for (const auto& test_case : cases) {
        SCOPED_TRACE(std::string(test_case.name) + ": sent " + printable(test_case.body));

        expectChunkedThenHello(server->port(), test_case.body, test_case.counted);
    }
}

TEST(ConnectionLayer, RequestInTrailerIsNotServed) {
    auto server = startServer();
    RawConnection connection(server->port());
    const std::string body = "5\r\nhello\r\n0\r\nX-A: 1\r\n" + getRequest("/hello");

    ASSERT_TRUE(connection.send(chunkedPostHead("/test/body-size") + body)) << connection.error();
    auto counted = connection.readResponse();
    auto extra = connection.readResponse(500ms);

    ASSERT_TRUE(counted) << connection.error();
    EXPECT_EQ(counted->status, 200);
    EXPECT_EQ(counted->body, R"({"bytes":5})");
    EXPECT_FALSE(extra) << "a request inside the trailer section got a response with status "
                        << extra->status << " and body " << extra->body;
    EXPECT_EQ(connection.trailingBytes(), "");
}

TEST(ConnectionLayer, EmptyLinesBeforeRequestSkipped) {
    auto server = startServer();
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send("\r\n" + getRequest("/hello") + "\r\n" + getRequest("/hello")))
        << connection.error();
    auto first = connection.readResponse();
    auto second = connection.readResponse();

    ASSERT_TRUE(first) << connection.error();
    EXPECT_EQ(first->status, 200);
    ASSERT_TRUE(second) << connection.error();
    EXPECT_EQ(second->status, 200);
}

// Sends `bytes` on a fresh connection, waits `pause`, closes the sending side and
// returns the response, which the test then checks.
std::optional<RawResponse> sendThenCloseSending(int port,
                                                const std::string& bytes,
                                                std::chrono::milliseconds pause) {
    RawConnection connection(port);
    if (!connection.send(bytes)) {
        ADD_FAILURE() << connection.error();
        return std::nullopt;
    }
    std::this_thread::sleep_for(pause);
    connection.closeSending();
    auto response = connection.readResponse();
    if (!response) {
        ADD_FAILURE() << connection.error();
    }
    return response;
}

TEST(ConnectionLayer, CutShortBodyIsNotServed) {
    auto server = startServer();
    std::string request = postRequest("/test/body-size", std::string(100, 'b'));

    auto response =
        sendThenCloseSending(server->port(), request.substr(0, request.size() - 63), 0ms);

    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << response->body;
    EXPECT_NE(response->body.find("after 37 of the 100 body bytes"), std::string::npos)
        << response->body;
    expectServerHealthy(*server);
}

TEST(ConnectionLayer, CutShortLargeBodyFailsRead) {
    constexpr std::size_t kBodySize = 100 * 1024;
    auto server = startServer();
    std::string request = postRequest("/test/body-size", std::string(kBodySize, 'b'));

    // Above the buffered-body limit, so a request thread is already reading the body
    // when the client closes its side.
    auto response =
        sendThenCloseSending(server->port(), request.substr(0, request.size() - 30 * 1024), 300ms);

    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << response->body;
    expectServerHealthy(*server);
}

TEST(ConnectionLayer, CutShortChunkedBodyFailsRead) {
    auto server = startServer();

    auto response = sendThenCloseSending(
        server->port(), chunkedPostHead("/test/body-size") + "5\r\nhello\r\n", 300ms);

    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << response->body;
    expectServerHealthy(*server);
}

TEST(ConnectionLayer, TruncatedChunkedBodyLeavesServerHealthy) {
    auto server = startServer({}, {{"SERVER_THREADS", "1"}});
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send(chunkedPostHead("/test/body-size") + "10\r\nabc"))
        << connection.error();
    std::this_thread::sleep_for(200ms);
    connection.close();

    expectServerHealthy(*server);
}

TEST(ConnectionLayer, MalformedChunkSizeGets400AndCloses) {
    auto server = startServer();
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send(chunkedPostHead("/test/body-size") + "zz\r\nhello\r\n0\r\n\r\n" +
                                getRequest("/hello")))
        << connection.error();
    auto response = connection.readResponse();
    bool closed = connection.readUntilClosed();

    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, 400);
    EXPECT_TRUE(closed) << connection.error();
    EXPECT_EQ(connection.trailingBytes(), "");
}

TEST(ConnectionLayer, ContentLengthOverLimitGets413) {
    auto server = startServer({"server.max_body_size=1KiB"});
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send(postRequest("/test/body-size", std::string(2048, 'b'))))
        << connection.error();
    auto response = connection.readResponse();
    bool closed = connection.readUntilClosed();

    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(response->header("content-type"), "application/problem+json");
    EXPECT_EQ(toLower(response->header("connection")), "close");
    EXPECT_TRUE(closed) << connection.error();
}

TEST(ConnectionLayer, ChunkedBodyOverLimitGets413AndCloses) {
    auto server = startServer({"server.max_body_size=1KiB"}, {}, {"items"});
    RawConnection connection(server->port());
    std::string body;
    for (int i = 0; i < 8; ++i) {
        body += "200\r\n" + std::string(512, ' ') + "\r\n";
    }
    body += "0\r\n\r\n";

    ASSERT_TRUE(connection.send(
        chunkedPostHead("/api/v1/items", "Content-Type: application/json\r\n") + body))
        << connection.error();
    auto response = connection.readResponse();
    bool closed = connection.readUntilClosed();

    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(toLower(response->header("connection")), "close");
    EXPECT_TRUE(closed) << connection.error();
}

TEST(ConnectionLayer, RejectedHeadIsLoggedWithItsRequestId) {
    auto server = startServer();
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send("GARBAGE\r\n\r\n")) << connection.error();
    auto response = connection.readResponse();

    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, 400);
    EXPECT_FALSE(response->header("Date").empty());
    std::string request_id = response->header("X-Request-Id");
    ASSERT_FALSE(request_id.empty());
    // The log is written by another process, so it may lag behind the response.
    auto deadline = Clock::now() + 2s;
    while (server->log().find("request_id=" + request_id) == std::string::npos &&
           Clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_NE(server->log().find("request_id=" + request_id), std::string::npos) << server->log();
}

TEST(ConnectionLayer, SmugglingGets400AndCloses) {
    struct Case {
        const char* name;
        std::string request;
    };

    const std::string smuggled = getRequest("/hello");
    const std::string post = "POST /test/body-size HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const std::vector<Case> cases = {
        {"Content-Length then Transfer-Encoding",
         post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled},
        {"Transfer-Encoding then Content-Length",
         post + "Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n" + smuggled},
        {"two different Content-Length",
         post + "Content-Length: 5\r\nContent-Length: 0\r\n\r\nhello" + smuggled},
        {"two equal Content-Length",
         post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello" + smuggled},
        {"Content-Length list", post + "Content-Length: 5, 5\r\n\r\nhello" + smuggled},
        {"Transfer-Encoding gzip then chunked",
         post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + smuggled},
        {"Transfer-Encoding identity",
         post + "Transfer-Encoding: identity\r\n\r\n0\r\n\r\n" + smuggled},
        {"two Transfer-Encoding",
         post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
             smuggled},
        {"space before colon in Transfer-Encoding",
         post + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + smuggled},
        {"folded Transfer-Encoding",
         post + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" + smuggled},
        {"chunk size not hexadecimal",
         post + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" + smuggled},
        {"chunk size with junk",
         post + "Transfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n" + smuggled},
        {"chunk data without CRLF",
         post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX0\r\n\r\n" + smuggled},
        {"HTTP/1.1 without Host", "GET /hello HTTP/1.1\r\n\r\n" + smuggled},
        {"two Host headers", "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + smuggled},
        {"chunked HTTP/1.0 request",
         "POST /test/body-size HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled},
        {"bare CR in a header", post + "X-A: a\rTransfer-Encoding: chunked\r\n\r\n" + smuggled},
    };
    auto server = startServer();

    for (const auto& test_case : cases) {
        SCOPED_TRACE(std::string(test_case.name) + ": sent " + printable(test_case.request));

        expectRejectedAndClosed(server->port(), test_case.request, 400);
    }
    expectServerHealthy(*server);
}

TEST(ConnectionLayer, OversizedHeadsGet431) {
    struct Case {
        const char* name;
        std::string request;
    };

    std::string many_headers;
    for (int i = 0; i < 101; ++i) {
        many_headers += "X-Field-" + std::to_string(i) + ": v\r\n";
    }
    std::string large_headers;
    for (int i = 0; i < 40; ++i) {
        large_headers += "X-Large-" + std::to_string(i) + ": " + std::string(1000, 'l') + "\r\n";
    }
    const std::string head_start = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const std::vector<Case> cases = {
        {"header line over 8 KiB", head_start + "X-Long: " + std::string(9000, 'a') + "\r\n\r\n"},
        {"request line over 8 KiB",
         "GET /" + std::string(9000, 'p') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"},
        {"101 header fields", head_start + many_headers + "\r\n"},
        {"head over 32 KiB", head_start + large_headers + "\r\n"},
        {"unterminated head over 32 KiB", head_start + large_headers},
    };
    auto server = startServer();

    for (const auto& test_case : cases) {
        SCOPED_TRACE(test_case.name);

        expectRejectedAndClosed(server->port(), test_case.request, 431);
    }
    expectServerHealthy(*server);
}

TEST(ConnectionLayer, FullQueueGives503) {
    auto server = startServer({}, {{"SERVER_THREADS", "1"}, {"SERVER_QUEUE_LIMIT", "1"}});
    RawConnection busy(server->port());
    RawConnection queued(server->port());
    RawConnection rejected(server->port());
    ASSERT_TRUE(busy.send(getRequest("/test/sleep?ms=1500"))) << busy.error();
    std::this_thread::sleep_for(300ms);
    ASSERT_TRUE(queued.send(getRequest("/hello"))) << queued.error();
    std::this_thread::sleep_for(200ms);

    auto started = Clock::now();
    ASSERT_TRUE(rejected.send(getRequest("/hello"))) << rejected.error();
    auto response = rejected.readResponse(2000ms);
    auto elapsed = elapsedSince(started);
    bool closed = rejected.readUntilClosed();
    auto busy_response = busy.readResponse();
    auto queued_response = queued.readResponse();

    ASSERT_TRUE(response) << rejected.error();
    EXPECT_EQ(response->status, 503);
    EXPECT_TRUE(isDecimal(response->header("retry-after"))) << response->header("retry-after");
    EXPECT_LT(elapsed, 500ms);
    EXPECT_TRUE(closed) << rejected.error();
    ASSERT_TRUE(busy_response) << busy.error();
    EXPECT_EQ(busy_response->status, 200);
    ASSERT_TRUE(queued_response) << queued.error();
    EXPECT_EQ(queued_response->status, 200);
    auto metrics = httpRequest(server->port(), "GET", "/metrics");
    EXPECT_NE(metrics.body.find("\nvalhalla_request_queue_rejections_total 1\n"), std::string::npos)
        << metrics.body;
}

TEST(ConnectionLayer, QueueTimeoutGives503) {
    auto server = startServer({"server.queue_timeout=300ms"}, {{"SERVER_THREADS", "1"}});
    RawConnection busy(server->port());
    RawConnection queued(server->port());
    ASSERT_TRUE(busy.send(getRequest("/test/sleep?ms=2500"))) << busy.error();
    std::this_thread::sleep_for(300ms);

    auto started = Clock::now();
    ASSERT_TRUE(queued.send(getRequest("/hello"))) << queued.error();
    auto response = queued.readResponse(4000ms);
    auto elapsed = elapsedSince(started);
    auto busy_response = busy.readResponse();

    ASSERT_TRUE(response) << queued.error();
    EXPECT_EQ(response->status, 503);
    EXPECT_TRUE(isDecimal(response->header("retry-after"))) << response->header("retry-after");
    EXPECT_GE(elapsed, 300ms);
    // The only thread stays busy for about 2200 ms more, so a 503 sent at the queue
    // timeout arrives well before the thread is free.
    EXPECT_LT(elapsed, 1500ms);
    ASSERT_TRUE(busy_response) << busy.error();
    EXPECT_EQ(busy_response->status, 200);
    auto metrics = httpRequest(server->port(), "GET", "/metrics");
    EXPECT_NE(metrics.body.find("\nvalhalla_request_queue_rejections_total 1\n"), std::string::npos)
        << metrics.body;
}

TEST(ConnectionLayer, LongRequestLetsQueuedConnectionGoFirst) {
    auto server = startServer({}, {{"SERVER_THREADS", "1"}});
    RawConnection slow(server->port());
    RawConnection queued(server->port());
    ASSERT_TRUE(slow.send(getRequest("/test/sleep?ms=300"))) << slow.error();
    std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(queued.send(getRequest("/test/sleep?ms=300"))) << queued.error();

    auto first = slow.readResponse();
    // Sent at once, this request would arrive within the thread's short wait for the
    // next request of a fast connection.
    ASSERT_TRUE(slow.send(getRequest("/hello"))) << slow.error();
    auto started = Clock::now();
    auto next = slow.readResponse();
    auto elapsed = elapsedSince(started);
    auto queued_response = queued.readResponse();

    ASSERT_TRUE(first) << slow.error();
    EXPECT_EQ(first->status, 200);
    ASSERT_TRUE(next) << slow.error();
    EXPECT_EQ(next->status, 200);
    ASSERT_TRUE(queued_response) << queued.error();
    EXPECT_EQ(queued_response->status, 200);
    // The only thread served the queued connection's 300 ms request first.
    EXPECT_GE(elapsed, 250ms);
}

TEST(ConnectionLayer, ExpectContinueGets100ThenResponse) {
    auto server = startServer();
    RawConnection connection(server->port());
    const std::string request = postRequest("/test/body-size", "hello", "Expect: 100-continue\r\n");
    const std::string head = request.substr(0, request.size() - 5);

    ASSERT_TRUE(connection.send(head)) << connection.error();
    auto interim = connection.readResponse();
    ASSERT_TRUE(connection.send("hello")) << connection.error();
    auto final_response = connection.readResponse();

    ASSERT_TRUE(interim) << connection.error();
    EXPECT_EQ(interim->status, 100);
    EXPECT_FALSE(interim->hasHeader("content-length"));
    ASSERT_TRUE(final_response) << connection.error();
    EXPECT_EQ(final_response->status, 200);
    EXPECT_EQ(final_response->body, R"({"bytes":5})");
}

TEST(ConnectionLayer, ExpectContinueToUnknownPathCloses) {
    auto server = startServer();
    RawConnection connection(server->port());
    const std::string request = postRequest("/no/such/path", "hello", "Expect: 100-continue\r\n");
    const std::string head = request.substr(0, request.size() - 5);

    ASSERT_TRUE(connection.send(head)) << connection.error();
    auto response = connection.readResponse();
    bool closed = connection.readUntilClosed();

    ASSERT_TRUE(response) << connection.error();
    EXPECT_EQ(response->status, 404);
    EXPECT_EQ(toLower(response->header("connection")), "close");
    EXPECT_TRUE(closed) << connection.error();
    EXPECT_EQ(connection.trailingBytes(), "");
}

TEST(ConnectionLayer, ClientGoneMidHeadLeavesServerHealthy) {
    auto server = startServer({}, {{"SERVER_THREADS", "1"}});
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send("GET /hello HTTP/1.1\r\nHost: 12")) << connection.error();
    std::this_thread::sleep_for(200ms);
    connection.close();

    expectServerHealthy(*server);
}

TEST(ConnectionLayer, ClientGoneMidBodyLeavesServerHealthy) {
    auto server = startServer({}, {{"SERVER_THREADS", "1"}});
    RawConnection connection(server->port());
    const std::string request = postRequest("/test/body-size", std::string(1000, 'b'));

    ASSERT_TRUE(connection.send(request.substr(0, request.size() - 900))) << connection.error();
    std::this_thread::sleep_for(200ms);
    connection.close();

    expectServerHealthy(*server);
}

TEST(ConnectionLayer, ClientGoneMidResponseLeavesServerHealthy) {
    auto server = startServer({}, {{"SERVER_THREADS", "1"}});
    RawConnection connection(server->port());

    ASSERT_TRUE(connection.send(getRequest("/test/big?kb=8192"))) << connection.error();
    bool received = connection.readAtLeast(16, 2000ms);
    connection.close();

    EXPECT_TRUE(received) << connection.error();
    EXPECT_TRUE(connection.trailingBytes().starts_with("HTTP/1.1 200 "))
        << printable(connection.trailingBytes());
    expectServerHealthy(*server);
}

}  // namespace
}  // namespace valhalla::test
