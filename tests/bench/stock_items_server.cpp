// A stock Poco::Net::HTTPServer that reads items from MySQL or MariaDB the plain Poco
// way: a Poco::Data::SessionPool and a new Poco::Data::Statement for every request.
// items_bench.sh uses it as the baseline for valhalla's items plugin.
//
//   GET /api/v1/items/{id}  the row of the items table as the items plugin returns it:
//                           {"id":..,"name":..,"price":"12.50","description":..|null,
//                            "created_at":"...Z","updated_at":"...Z"}; 404 when no row
//   GET /hello              {"message":"hello"}, like valhalla_stock_server
//
// Usage: valhalla_stock_items_server PORT THREADS POOL_SIZE
// The database comes from MYSQL_HOST, MYSQL_PORT (default 3306), MYSQL_USER,
// MYSQL_PASSWORD and MYSQL_DATABASE, as for valhalla. It binds 127.0.0.1 only, prints
// one "listening" line once it accepts connections, and stops on SIGTERM or SIGINT.

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <Poco/Data/MySQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Data/Statement.h>
#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/Semaphore.h>
#include <Poco/ThreadPool.h>
#include <Poco/Types.h>

#include <sys/socket.h>

namespace {

using Poco::Net::HTTPResponse;

// Poco's default for HTTPServerParams::maxQueued, as in valhalla_stock_server.
constexpr int kMaxQueued = 64;

// Upper bound for THREADS and POOL_SIZE, which guards against a typo such as 64000.
constexpr int kMaxThreads = 4096;

// Sessions idle longer than this are closed by the pool, down to one, as in valhalla.
constexpr int kIdleSeconds = 60;

// How long a request waits for a free session before it gets 503: valhalla's default
// database.pool.acquire_timeout.
constexpr long kAcquireTimeoutMs = 2000;

const std::string kItemsPrefix = "/api/v1/items/";

const std::string kHelloBody = R"({"message":"hello"})";

// The columns of the items plugin's table. CAST(... AS CHAR) returns DECIMAL(10,2) and
// DATETIME(3) as exact text, and the NULL flag plus COALESCE avoid extracting a NULL,
// which Poco 1.11's MySQL connector cannot do into a Nullable<std::string>. The text is
// the items plugin's bounded read, so both servers ask MariaDB the same question.
const std::string kSelectItem =
    "SELECT id, name, CAST(price AS CHAR), description IS NULL,"
    " CAST(COALESCE(description, '') AS CHAR(10000)), CAST(created_at AS CHAR),"
    " CAST(updated_at AS CHAR), COALESCE(CHAR_LENGTH(description), 0) > 10000"
    " FROM items WHERE id = ?";

// Length of a DATETIME(3) value as text, "YYYY-MM-DD HH:MM:SS.mmm".
constexpr std::size_t kDatetimeLength = 23;

// The number of failed requests, and the text of the first failure, printed at stop.
std::atomic<long> failed_requests{0};
std::atomic<bool> failure_printed{false};

void recordFailure(const std::string& text) {
    ++failed_requests;
    if (!failure_printed.exchange(true)) {
        std::cerr << "valhalla_stock_items_server: first failed request: " << text << std::endl;
    }
}

void sendBody(Poco::Net::HTTPServerResponse& response,
              HTTPResponse::HTTPStatus status,
              const std::string& body) {
    response.setStatusAndReason(status);
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.sendBuffer(body.data(), body.size());
}

void sendEmpty(Poco::Net::HTTPServerResponse& response, HTTPResponse::HTTPStatus status) {
    response.setStatusAndReason(status);
    response.setContentLength(0);
    response.send();
}

// Converts DATETIME(3) text such as "2026-12-04 16:45:44.123" to the items plugin's
// ISO 8601 form "2026-12-04T16:45:44.123Z".
std::string toIso(std::string stored) {
    if (stored.size() != kDatetimeLength || stored[10] != ' ') {
        throw Poco::DataFormatException("unexpected DATETIME(3) text", stored);
    }
    stored[10] = 'T';
    return stored + "Z";
}

// The result columns of kSelectItem, one vector per column.
struct ItemRows {
    std::vector<Poco::Int64> ids;
    std::vector<std::string> names;
    std::vector<std::string> prices;
    std::vector<int> description_nulls;
    std::vector<std::string> descriptions;
    std::vector<std::string> created;
    std::vector<std::string> updated;
    // The benchmark's descriptions are short, so the flag is read and never acted on.
    std::vector<int> long_descriptions;
};

// Runs kSelectItem in a new Statement on `session`. Poco 1.11's MySQL connector prepares
// every Statement on the server, so each call costs a prepare, an execute and a close.
ItemRows selectItem(Poco::Data::Session& session, Poco::Int64 id) {
    using Poco::Data::Keywords::into;
    using Poco::Data::Keywords::use;

    ItemRows rows;
    Poco::Data::Statement statement(session);
    statement << kSelectItem, into(rows.ids), into(rows.names), into(rows.prices),
        into(rows.description_nulls), into(rows.descriptions), into(rows.created),
        into(rows.updated), into(rows.long_descriptions), use(id);
    statement.execute();
    return rows;
}

// Builds the items plugin's JSON for the first row, with its members in the same order.
std::string itemJson(const ItemRows& rows) {
    Poco::JSON::Object item(Poco::JSON_PRESERVE_KEY_ORDER);
    item.set("id", rows.ids[0]);
    item.set("name", rows.names[0]);
    item.set("price", rows.prices[0]);
    if (rows.description_nulls[0] == 0) {
        item.set("description", rows.descriptions[0]);
    } else {
        item.set("description", Poco::Dynamic::Var());
    }
    item.set("created_at", toIso(rows.created[0]));
    item.set("updated_at", toIso(rows.updated[0]));

    std::ostringstream text;
    item.stringify(text);
    return text.str();
}

// A SessionPool with a bounded wait in front of it, because SessionPool::get() in Poco
// 1.11 throws at once when every session is in use. Without the wait, requests beyond
// the pool size would get fast 503 responses and the baseline would count them as served.
class WaitingPool {
public:
    WaitingPool(const std::string& connection_string, int size)
        : pool_("mysql", connection_string, 1, size, kIdleSeconds), free_(size, size) {}

    // Runs `work` with a pooled session. Returns false when no session became free within
    // kAcquireTimeoutMs.
    template <typename Work>
    bool run(Work&& work) {
        if (!free_.tryWait(kAcquireTimeoutMs)) {
            return false;
        }
        try {
            Poco::Data::Session session = pool_.get();
            work(session);
        } catch (...) {
            free_.set();
            throw;
        }
        free_.set();
        return true;
    }

    void shutdown() { pool_.shutdown(); }

private:
    Poco::Data::SessionPool pool_;
    Poco::Semaphore free_;
};

class ItemHandler : public Poco::Net::HTTPRequestHandler {
public:
    ItemHandler(WaitingPool& pool, Poco::Int64 id) : pool_(pool), id_(id) {}

    void handleRequest(Poco::Net::HTTPServerRequest&,
                       Poco::Net::HTTPServerResponse& response) override {
        try {
            ItemRows rows;
            if (!pool_.run(
                    [&](Poco::Data::Session& session) { rows = selectItem(session, id_); })) {
                recordFailure("no pooled session became free within 2 s");
                sendEmpty(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
                return;
            }
            if (rows.ids.empty()) {
                sendEmpty(response, HTTPResponse::HTTP_NOT_FOUND);
                return;
            }
            sendBody(response, HTTPResponse::HTTP_OK, itemJson(rows));
        } catch (const Poco::Exception& error) {
            recordFailure(error.displayText());
            sendEmpty(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
        } catch (const std::exception& error) {
            recordFailure(error.what());
            sendEmpty(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
        }
    }

private:
    WaitingPool& pool_;
    Poco::Int64 id_;
};

class HelloHandler : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest&,
                       Poco::Net::HTTPServerResponse& response) override {
        sendBody(response, HTTPResponse::HTTP_OK, kHelloBody);
    }
};

class NotFoundHandler : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest&,
                       Poco::Net::HTTPServerResponse& response) override {
        sendEmpty(response, HTTPResponse::HTTP_NOT_FOUND);
    }
};

// Parses the id of "/api/v1/items/{id}": a positive decimal integer, as the items plugin
// accepts. Returns 0 for any other path.
Poco::Int64 itemId(const std::string& uri) {
    if (uri.compare(0, kItemsPrefix.size(), kItemsPrefix) != 0) {
        return 0;
    }
    std::string text = uri.substr(kItemsPrefix.size());
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
        return 0;
    }
    Poco::Int64 id = 0;
    if (!Poco::NumberParser::tryParse64(text, id) || id <= 0) {
        return 0;
    }
    return id;
}

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit HandlerFactory(WaitingPool& pool) : pool_(pool) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& request) override {
        if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_GET) {
            return new NotFoundHandler;
        }
        if (request.getURI() == "/hello") {
            return new HelloHandler;
        }
        Poco::Int64 id = itemId(request.getURI());
        if (id > 0) {
            return new ItemHandler(pool_, id);
        }
        return new NotFoundHandler;
    }

private:
    WaitingPool& pool_;
};

[[noreturn]] void exitWithUsage(const std::string& problem) {
    std::cerr << "valhalla_stock_items_server: " << problem << "\n"
              << "usage: valhalla_stock_items_server PORT THREADS POOL_SIZE\n"
                 "  PORT       TCP port on 127.0.0.1 (0 picks a free port)\n"
                 "  THREADS    request threads, the size of the server's own thread pool\n"
                 "  POOL_SIZE  database sessions in the SessionPool\n"
                 "The database comes from MYSQL_HOST, MYSQL_PORT (default 3306), MYSQL_USER,\n"
                 "MYSQL_PASSWORD and MYSQL_DATABASE.\n";
    std::exit(2);
}

// Parses a decimal argument in [minimum, maximum], or exits with the usage text.
int parseArgument(const char* name, const std::string& text, int minimum, int maximum) {
    int value = 0;
    if (!Poco::NumberParser::tryParse(text, value) || value < minimum || value > maximum) {
        exitWithUsage(std::string("invalid ") + name + " '" + text +
                      "': expected an integer from " + std::to_string(minimum) + " to " +
                      std::to_string(maximum));
    }
    return value;
}

std::string requiredEnvironment(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        exitWithUsage(std::string("environment variable ") + name +
                      " is missing; set it for the MySQL or MariaDB server to read from");
    }
    return value;
}

// Builds the connection string with the session options valhalla uses.
std::string connectionString() {
    const char* port = std::getenv("MYSQL_PORT");
    return "host=" + requiredEnvironment("MYSQL_HOST") +
           ";port=" + std::string(port != nullptr && *port != '\0' ? port : "3306") +
           ";user=" + requiredEnvironment("MYSQL_USER") +
           ";password=" + requiredEnvironment("MYSQL_PASSWORD") +
           ";db=" + requiredEnvironment("MYSQL_DATABASE") +
           ";character-set=utf8mb4;auto-reconnect=true";
}

Poco::Net::ServerSocket listenOnLoopback(int port) {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), true);
    // SOMAXCONN like valhalla's listener and valhalla_stock_server.
    socket.listen(SOMAXCONN);
    return socket;
}

// Serves until SIGTERM or SIGINT arrives. The caller has blocked both signals.
void serve(int port, int threads, WaitingPool& pool, const sigset_t& stop_signals) {
    Poco::Net::ServerSocket socket = listenOnLoopback(port);
    // HTTPServer without its own pool uses Poco's default pool of 16 threads,
    // whatever maxThreads is set to (Poco 1.11).
    Poco::ThreadPool thread_pool(threads, threads);
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(threads);
    params->setMaxQueued(kMaxQueued);
    params->setKeepAlive(true);

    Poco::Net::HTTPServer server(new HandlerFactory(pool), thread_pool, socket, params);
    server.start();
    std::cout << "valhalla_stock_items_server listening on 127.0.0.1:" << socket.address().port()
              << " threads=" << threads << " max_queued=" << kMaxQueued << std::endl;

    int received = 0;
    sigwait(&stop_signals, &received);
    std::cout << "valhalla_stock_items_server stopping on signal " << received
              << " refused_connections=" << server.refusedConnections()
              << " failed_requests=" << failed_requests.load() << std::endl;
    server.stopAll(true);
    thread_pool.joinAll();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        exitWithUsage("expected 3 arguments, got " + std::to_string(argc - 1));
    }
    int port = parseArgument("PORT", argv[1], 0, 65535);
    int threads = parseArgument("THREADS", argv[2], 1, kMaxThreads);
    int pool_size = parseArgument("POOL_SIZE", argv[3], 1, kMaxThreads);
    std::string connection = connectionString();

    // Block the stop signals before any thread starts, so every thread inherits the mask
    // and only sigwait() receives them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    try {
        Poco::Data::MySQL::Connector::registerConnector();
        WaitingPool pool(connection, pool_size);
        serve(port, threads, pool, stop_signals);
        pool.shutdown();
    } catch (const Poco::Exception& error) {
        std::cerr << "valhalla_stock_items_server: " << error.displayText() << "\n";
        return 1;
    }
    return 0;
}
