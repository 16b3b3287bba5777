#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <spdlog/logger.h>

#include "config/settings.hpp"
#include "logging/rate_limiter.hpp"
#include "server/connection/connection.hpp"
#include "server/connection/connection_socket.hpp"
#include "server/connection/request_head.hpp"
#include "server/connection/request_queue.hpp"
#include "shared/region_layout.hpp"

namespace valhalla::host::server::connection {

/// The HTTP connection layer of one worker.
///
/// One poll thread accepts connections and watches every idle connection with
/// epoll. It reads request heads without holding a request thread and enforces the
/// head deadline, the idle timeout and the head limits. A connection with a complete
/// head goes through a bounded queue to one of `server.threads` request threads.
/// That thread serves it with Poco's own request and response objects, also serves
/// the pipelined requests already received, and then gives the connection back to
/// the poll thread.
///
/// With `server.tls.certificate` and `server.tls.key` set it serves HTTPS on the
/// same socket: the poll thread drives each TLS handshake as the socket becomes
/// ready, within the head timeout of the new connection, so a client that connects
/// and sends nothing occupies no request thread.
class ConnectionServer {
public:
    /// Serves connections accepted on `listen_fd`, a bound, listening, non-blocking
    /// socket. The server closes its descriptor when it stops, and sibling processes
    /// that share the socket keep accepting. Throws tls::CertificateError when HTTPS
    /// is configured and its files cannot be used.
    ConnectionServer(const config::Settings& settings,
                     Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                     int listen_fd);
    ~ConnectionServer();
    ConnectionServer(const ConnectionServer&) = delete;
    ConnectionServer& operator=(const ConnectionServer&) = delete;

    /// Starts the poll thread and the request threads.
    void start();

    /// Drains: stops accepting, serves the requests already received and those that
    /// arrive on idle connections within a short grace with `Connection: close`, then
    /// joins every thread. Connections still open at `server.drain_timeout` are
    /// closed.
    void stop();

    /// The port actually bound.
    int port() const;

    /// Publishes open and idle connections, queue length and 503s for a full or late
    /// queue to `slot`, from now on. Call before start.
    void setGauges(shared::WorkerSlot* slot) { gauges_ = slot; }

private:
    /// How long idle keep-alive connections stay open once a drain starts.
    static constexpr std::chrono::milliseconds kDrainGrace{500};

    /// Largest Content-Length body that the poll thread reads before a request thread
    /// takes the request, so that a client sending such a body slowly occupies no thread.
    static constexpr std::size_t kBufferedBodyLimit = 64 * 1024;

    /// Returns true when the head in `scan` is complete and announces a Content-Length
    /// body of at most kBufferedBodyLimit bytes that has not fully arrived yet. A client
    /// that expects 100-continue usually sends its body only after the 100 response, so
    /// this returns false for such a request.
    static bool awaitsBufferedBody(const Connection& connection, const HeadScan& scan);

    /// Returns true when the client closed its side of the connection before sending
    /// the whole Content-Length body announced in `scan`.
    static bool bodyCutShort(const Connection& connection, const HeadScan& scan);
    void rejectCutShortBody(Connection* connection, const HeadScan& scan);

    // Poll thread.
    void pollLoop();
    void acceptConnections();
    bool startTls(Connection& connection);
    void continueHandshake(Connection* connection);
    bool checkFirstByte(Connection* connection);
    void rejectPlainHttp(Connection* connection);
    void readHead(Connection* connection);
    void expireConnections(Clock::time_point now);
    void expireQueuedRequests(Clock::time_point now);
    void rejectLateRequest(Connection* connection);
    void handOff(Connection* connection, const HeadScan& scan);
    void rejectHead(Connection* connection, const HeadScan& scan);
    void arm(Connection* connection, bool add);
    Clock::time_point beginDrain();
    void publishGauges();
    void countQueueRejection();
    std::size_t connectionCount();

    // Request threads.
    void requestLoop();
    void serve(Connection* connection);
    bool serveOneRequest(Connection& connection, const HeadScan& scan);
    static bool skipPastChunkedBody(const ConnectionSocketImpl& adapter, std::string& leftover);
    bool waitForNextHead(Connection& connection,
                         HeadScan& scan,
                         int served_in_row,
                         bool request_waited);
    void giveBack(Connection* connection);
    bool waitForNextRequest(int fd, bool request_waited);

    // Both.
    void closeConnection(Connection* connection);
    void rejectAndClose(Connection* connection,
                        int status,
                        const std::string& detail,
                        const std::vector<std::pair<std::string, std::string>>& headers = {});
    std::string loggedImmediateResponse(
        const Connection& connection,
        int status,
        const std::string& detail,
        const std::vector<std::pair<std::string, std::string>>& headers = {});
    bool readAvailable(Connection& connection, bool single_read = false);
    bool readAvailableTls(Connection& connection, bool single_read);
    void writeImmediate(Connection& connection, const std::string& response);

    const config::Settings& settings_;
    /// TLS server context, or nullptr for plain HTTP.
    Poco::Net::Context::Ptr tls_context_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
    Poco::Net::HTTPServerParams::Ptr params_;
    HeadLimits limits_;
    int listen_fd_ = -1;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    RequestQueue queue_;
    std::mutex registry_mutex_;
    std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
    std::thread poll_thread_;
    std::vector<std::thread> request_threads_;
    std::atomic<bool> stopping_{false};
    bool started_ = false;
    Clock::time_point accept_paused_until_{};
    shared::WorkerSlot* gauges_ = nullptr;
    std::shared_ptr<spdlog::logger> log_;
    logging::RateLimiter slow_client_log_limit_{std::chrono::seconds(5)};
    logging::RateLimiter rejected_log_limit_{std::chrono::seconds(5)};
    logging::RateLimiter overload_log_limit_{std::chrono::seconds(5)};
    logging::RateLimiter handshake_log_limit_{std::chrono::seconds(5)};
};

/// Raises the soft limit on open files to the hard limit and returns the new
/// soft limit.
std::uint64_t raiseOpenFileLimit();

}  // namespace valhalla::host::server::connection
