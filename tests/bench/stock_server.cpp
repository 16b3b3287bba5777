// A stock Poco::Net::HTTPServer that serves `GET /hello` with the same JSON body as
// valhalla's hello plugin. connection_bench.sh uses it as the baseline that the
// connection layer is measured against.
//
// Usage: valhalla_stock_server PORT THREADS [CERTIFICATE KEY]
// With a PEM certificate and key it serves HTTPS through a SecureServerSocket, with
// the protocol versions and TLS 1.2 suites that valhalla uses. It binds 127.0.0.1
// only, prints one "listening" line once it accepts connections, and stops on
// SIGTERM or SIGINT.

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/ThreadPool.h>

#include <sys/socket.h>

namespace {

// Poco's default for HTTPServerParams::maxQueued. Connections past the running
// threads plus this many are accepted and closed without a response.
constexpr int kMaxQueued = 64;

// Upper bound for THREADS. Each thread has its own stack, so this guards against a typo
// such as 64000.
constexpr int kMaxThreads = 4096;

const std::string kHelloBody = R"({"message":"hello"})";

// The TLS 1.2 suites of valhalla's server context. TLS 1.3 keeps OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

class HelloHandler : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest&,
                       Poco::Net::HTTPServerResponse& response) override {
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
        response.setContentType("application/json");
        response.setContentLength(static_cast<std::streamsize>(kHelloBody.size()));
        response.sendBuffer(kHelloBody.data(), kHelloBody.size());
    }
};

class NotFoundHandler : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest&,
                       Poco::Net::HTTPServerResponse& response) override {
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        response.setContentLength(0);
        response.send();
    }
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& request) override {
        if (request.getMethod() == Poco::Net::HTTPRequest::HTTP_GET &&
            request.getURI() == "/hello") {
            return new HelloHandler;
        }
        return new NotFoundHandler;
    }
};

// Parses a decimal argument in [minimum, maximum]. Prints an error and exits on an
// invalid value.
int parseArgument(const char* name, const std::string& text, int minimum, int maximum) {
    int value = 0;
    if (!Poco::NumberParser::tryParse(text, value) || value < minimum || value > maximum) {
        std::cerr << "valhalla_stock_server: invalid " << name << " '" << text
                  << "': expected an integer from " << minimum << " to " << maximum << "\n";
        std::exit(2);
    }
    return value;
}

// Creates the listening socket: plain TCP, or TLS when `certificate` is not empty.
Poco::Net::ServerSocket listen(int port, const std::string& certificate, const std::string& key) {
    Poco::Net::SocketAddress address("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::ServerSocket socket;
    if (!certificate.empty()) {
        Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE,
                                                                 key,
                                                                 certificate,
                                                                 "",
                                                                 Poco::Net::Context::VERIFY_NONE,
                                                                 9,
                                                                 false,
                                                                 kTls12Ciphers);
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        context->preferServerCiphers();
        socket = Poco::Net::SecureServerSocket(context);
    }
    socket.bind(address, true);
    // valhalla's listener also uses SOMAXCONN, so the comparison is about serving
    // connections rather than about the kernel's accept queue. Poco's default is 64.
    socket.listen(SOMAXCONN);
    return socket;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 && argc != 5) {
        std::cerr << "usage: valhalla_stock_server PORT THREADS [CERTIFICATE KEY]\n"
                     "  PORT         TCP port on 127.0.0.1 (0 picks a free port)\n"
                     "  THREADS      request threads, the size of the server's own thread pool\n"
                     "  CERTIFICATE  PEM certificate file; with KEY, serve HTTPS\n"
                     "  KEY          PEM private key file without a pass phrase\n";
        return 2;
    }
    int port = parseArgument("PORT", argv[1], 0, 65535);
    int threads = parseArgument("THREADS", argv[2], 1, kMaxThreads);
    std::string certificate = argc == 5 ? argv[3] : "";
    std::string key = argc == 5 ? argv[4] : "";

    // Block the stop signals before any thread starts, so every thread inherits the mask
    // and only sigwait() below receives them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    try {
        Poco::Net::ServerSocket socket = listen(port, certificate, key);

        // HTTPServer without its own pool uses Poco's default pool of 16 threads,
        // whatever maxThreads is set to (Poco 1.11).
        Poco::ThreadPool pool(threads, threads);
        Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(threads);
        params->setMaxQueued(kMaxQueued);
        params->setKeepAlive(true);

        Poco::Net::HTTPServer server(new HandlerFactory, pool, socket, params);
        server.start();
        std::cout << "valhalla_stock_server listening on 127.0.0.1:" << socket.address().port()
                  << " threads=" << threads << " max_queued=" << kMaxQueued
                  << " tls=" << (certificate.empty() ? "off" : "on") << std::endl;

        int received = 0;
        sigwait(&stop_signals, &received);
        std::cout << "valhalla_stock_server stopping on signal " << received
                  << " refused_connections=" << server.refusedConnections() << std::endl;
        server.stopAll(true);
        pool.joinAll();
    } catch (const Poco::Exception& error) {
        std::cerr << "valhalla_stock_server: " << error.displayText() << "\n";
        return 1;
    }
    return 0;
}
