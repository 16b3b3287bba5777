#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/server_process.hpp"
#include "support/tls_client.hpp"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace valhalla::test {
namespace {

namespace fs = std::filesystem;

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;
using namespace std::chrono_literals;

constexpr int kConfigExitCode = 78;

Milliseconds elapsedSince(Clock::time_point start) {
    return std::chrono::duration_cast<Milliseconds>(Clock::now() - start);
}

ServerOptions httpsOptions(const TestCertificate& files) {
    ServerOptions options;
    options.https = true;
    options.environment = {{"SSL_CERT_PATH", files.certificate_path},
                           {"SSL_KEY_PATH", files.key_path}};
    return options;
}

void writeFile(const std::string& path, const std::string& content) {
    std::ofstream output(path, std::ios::binary | std::ios::trunc);
    output << content;
    if (!output) {
        throw std::runtime_error("cannot write " + path);
    }
}

// Runs an openssl command that must succeed, such as one that prepares a key file.
void runOpenSslOrThrow(const std::vector<std::string>& arguments) {
    std::vector<std::string> command = {"openssl"};
    command.insert(command.end(), arguments.begin(), arguments.end());
    ProgramResult result = runProgram(command, 30s);
    if (!result.succeeded()) {
        throw std::runtime_error("openssl " + arguments.front() + " failed: " + result.output);
    }
}

// Runs `openssl s_client` against 127.0.0.1:port with extra arguments and stdin from
// /dev/null, so it ends after the handshake.
ProgramResult runTlsClient(int port, const std::vector<std::string>& arguments) {
    std::vector<std::string> command = {
        "openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port)};
    command.insert(command.end(), arguments.begin(), arguments.end());
    return runProgram(command, 30s);
}

/// A plain TCP connection to 127.0.0.1, for clients that do not speak TLS.
class TcpConnection {
public:
    explicit TcpConnection(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 ||
            ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
            int connect_errno = errno;
            if (fd_ >= 0) {
                ::close(fd_);
            }
            throw std::runtime_error(std::string("connect failed: ") +
                                     std::strerror(connect_errno));
        }
    }

    ~TcpConnection() { ::close(fd_); }

    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    void send(const std::string& bytes) {
        if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(bytes.size())) {
            throw std::runtime_error(std::string("send failed: ") + std::strerror(errno));
        }
    }

    /// Reads until the server closes the connection or `timeout` passes. Returns the
    /// bytes and whether the end of the stream (or a reset) was seen.
    std::pair<std::string, bool> readUntilClosed(Milliseconds timeout) {
        std::string bytes;
        auto deadline = Clock::now() + timeout;
        while (true) {
            auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now());
            pollfd entry{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&entry, 1, static_cast<int>(left.count())) <= 0) {
                return {bytes, false};
            }
            char chunk[4096];
            ssize_t count = ::recv(fd_, chunk, sizeof(chunk), 0);
            if (count <= 0) {
                return {bytes, true};
            }
            bytes.append(chunk, static_cast<std::size_t>(count));
        }
    }

private:
    int fd_ = -1;
};

class HttpsTest : public ::testing::Test {
protected:
    void SetUp() override {
        directory_ = makeTemporaryDirectory();
        certificate_ = makeTestCertificate(directory_, "server", "valhalla-test-a");
    }

    std::string directory_;
    TestCertificate certificate_;
};

TEST_F(HttpsTest, ServesHello) {
    auto server = ServerProcess::start(httpsOptions(certificate_));

    HttpResponse response = httpsRequest(server->port(), "GET", "/hello");

    EXPECT_EQ(response.status, 200);
    EXPECT_NE(response.body.find("\"message\""), std::string::npos) << response.body;
    std::string log = server->log();
    EXPECT_NE(log.find("serving HTTPS"), std::string::npos) << log;
    EXPECT_NE(log.find(certificate_.certificate_path), std::string::npos) << log;
    EXPECT_NE(log.find("url=https://"), std::string::npos) << log;
}

TEST(HttpsStartup, PlainHttpIsLogged) {
    auto server = ServerProcess::start();

    HttpResponse response = httpRequest(server->port(), "GET", "/hello");

    EXPECT_EQ(response.status, 200);
    EXPECT_NE(server->log().find("serving plain HTTP"), std::string::npos) << server->log();
}

TEST_F(HttpsTest, AcceptsTls12And13) {
    auto server = ServerProcess::start(httpsOptions(certificate_));

    ProgramResult tls12 = runTlsClient(server->port(), {"-tls1_2"});
    ProgramResult tls13 = runTlsClient(server->port(), {"-tls1_3"});

    // s_client prints the session summary only when it arrives before stdin ends, so
    // the checks use the line it prints right after the handshake.
    EXPECT_TRUE(tls12.succeeded()) << tls12.output;
    EXPECT_NE(tls12.output.find("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES"), std::string::npos)
        << tls12.output;
    EXPECT_TRUE(tls13.succeeded()) << tls13.output;
    EXPECT_NE(tls13.output.find("New, TLSv1.3, Cipher is TLS_"), std::string::npos) << tls13.output;
}

TEST_F(HttpsTest, RejectsTls11Client) {
    auto server = ServerProcess::start(httpsOptions(certificate_));

    // Debian's OpenSSL offers TLS 1.1 only at security level 0.
    ProgramResult result =
        runTlsClient(server->port(), {"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"});

    EXPECT_FALSE(result.succeeded()) << result.output;
    // The server's protocol_version alert shows that the client offered TLS 1.1. A
    // client that cannot offer it at all fails with "no protocols available" instead.
    EXPECT_EQ(result.output.find("no protocols available"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("protocol version"), std::string::npos) << result.output;
    EXPECT_EQ(httpsRequest(server->port(), "GET", "/healthz").status, 200);
}

TEST_F(HttpsTest, RejectsCbcCipherOverTls12) {
    auto server = ServerProcess::start(httpsOptions(certificate_));

    ProgramResult result =
        runTlsClient(server->port(), {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"});

    EXPECT_FALSE(result.succeeded()) << result.output;
    EXPECT_NE(result.output.find("handshake failure"), std::string::npos) << result.output;
}

TEST_F(HttpsTest, PlainHttpOnTlsPortGets400) {
    auto server = ServerProcess::start(httpsOptions(certificate_));
    TcpConnection client(server->port());

    client.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    auto [bytes, closed] = client.readUntilClosed(3s);

    EXPECT_TRUE(closed) << bytes;
    EXPECT_EQ(bytes.rfind("HTTP/1.1 400 ", 0), 0u) << bytes;
    EXPECT_NE(bytes.find("https://"), std::string::npos) << bytes;
    EXPECT_EQ(httpsRequest(server->port(), "GET", "/healthz").status, 200);
}

TEST_F(HttpsTest, SilentClientsDoNotDelayRequests) {
    ServerOptions options = httpsOptions(certificate_);
    options.arguments = {"--define", "server.head_timeout=2s"};
    auto server = ServerProcess::start(options);
    std::vector<std::unique_ptr<TcpConnection>> silent;
    auto connected_at = Clock::now();
    for (int i = 0; i < 40; ++i) {
        silent.push_back(std::make_unique<TcpConnection>(server->port()));
    }

    auto request_start = Clock::now();
    HttpResponse response = httpsRequest(server->port(), "GET", "/hello", "", {}, 5s);
    Milliseconds request_time = elapsedSince(request_start);

    EXPECT_EQ(response.status, 200);
    EXPECT_LT(request_time, 1000ms);
    for (auto& client : silent) {
        auto [bytes, closed] = client->readUntilClosed(5s);
        Milliseconds open_for = elapsedSince(connected_at);
        EXPECT_TRUE(closed);
        EXPECT_TRUE(bytes.empty()) << bytes;
        EXPECT_GE(open_for, 1500ms);
        EXPECT_LT(open_for, 4500ms);
    }
    EXPECT_EQ(httpsRequest(server->port(), "GET", "/healthz").status, 200);
}

TEST_F(HttpsTest, PipelinedRequestsInOneWrite) {
    auto server = ServerProcess::start(httpsOptions(certificate_));
    TlsConnection client(server->port());

    client.send(
        "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    std::vector<HttpResponse> responses = client.readResponses(2);

    ASSERT_EQ(responses.size(), 2u);
    EXPECT_EQ(responses[0].status, 200);
    EXPECT_NE(responses[0].body.find("\"message\""), std::string::npos) << responses[0].body;
    EXPECT_EQ(responses[1].status, 200);
}

// The body spans several TLS records and the poll thread stops reading at its buffer
// limit, so the request thread decrypts the last record itself. OpenSSL then keeps the
// rest of the pipelined request, and the socket never becomes readable for it.
TEST_F(HttpsTest, PipelinedRequestAfterBody) {
    auto server = ServerProcess::start(httpsOptions(certificate_));
    TlsConnection client(server->port());
    std::string body(60000, 'x');
    std::string padding(3000, 'p');

    client.send("POST /hello HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body +
                "GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + padding + "\r\n\r\n");
    std::vector<HttpResponse> responses = client.readResponses(2);

    ASSERT_EQ(responses.size(), 2u);
    EXPECT_EQ(responses[0].status, 405);
    EXPECT_EQ(responses[1].status, 200);
    EXPECT_NE(responses[1].body.find("\"message\""), std::string::npos) << responses[1].body;
}

TEST_F(HttpsTest, SighupLoadsNewCertificate) {
    auto server = ServerProcess::start(httpsOptions(certificate_));
    EXPECT_EQ(TlsConnection(server->port()).peerCommonName(), "valhalla-test-a");
    TestCertificate next = makeTestCertificate(directory_, "next", "valhalla-test-b");
    fs::rename(next.certificate_path, certificate_.certificate_path);
    fs::rename(next.key_path, certificate_.key_path);

    ASSERT_EQ(::kill(server->pid(), SIGHUP), 0);
    ASSERT_TRUE(server->waitForLog("reload complete generation=2", 15s)) << server->log();

    EXPECT_EQ(TlsConnection(server->port()).peerCommonName(), "valhalla-test-b");
    EXPECT_EQ(httpsRequest(server->port(), "GET", "/hello").status, 200);
}

TEST_F(HttpsTest, SighupWithBadCertificateKeepsServing) {
    auto server = ServerProcess::start(httpsOptions(certificate_));
    writeFile(certificate_.certificate_path, "not a certificate\n");

    ASSERT_EQ(::kill(server->pid(), SIGHUP), 0);
    ASSERT_TRUE(server->waitForLog("reload rejected", 15s)) << server->log();

    std::string log = server->log();
    EXPECT_NE(log.find(certificate_.certificate_path + " contains no PEM certificate"),
              std::string::npos)
        << log;
    EXPECT_EQ(log.find("reload complete"), std::string::npos) << log;
    EXPECT_EQ(TlsConnection(server->port()).peerCommonName(), "valhalla-test-a");
    EXPECT_EQ(httpsRequest(server->port(), "GET", "/hello").status, 200);
}

/// A start-up with unusable TLS files and the message it must print.
struct BadFilesCase {
    std::string name;
    std::map<std::string, std::string> environment;
    std::string expected_message;
};

class HttpsBadFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        directory_ = makeTemporaryDirectory();
        good_ = makeTestCertificate(directory_, "good", "valhalla-test-good");
        other_ = makeTestCertificate(directory_, "other", "valhalla-test-other");
    }

    std::vector<BadFilesCase> cases() {
        std::string missing = directory_ + "/missing.pem";
        std::string garbage = directory_ + "/garbage.pem";
        std::string encrypted = directory_ + "/encrypted.key";
        std::string traditional = directory_ + "/traditional.key";
        writeFile(garbage, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        runOpenSslOrThrow(
            {"pkey", "-in", good_.key_path, "-out", encrypted, "-aes256", "-passout", "pass:x"});
        // `openssl ec` writes the traditional format, with a Proc-Type: 4,ENCRYPTED header.
        runOpenSslOrThrow(
            {"ec", "-in", good_.key_path, "-out", traditional, "-aes256", "-passout", "pass:x"});
        std::string cert_setting = "server.tls.certificate (SSL_CERT_PATH) file ";
        std::string key_setting = "server.tls.key (SSL_KEY_PATH) file ";
        return {
            {"missing certificate",
             {{"SSL_CERT_PATH", missing}, {"SSL_KEY_PATH", good_.key_path}},
             cert_setting + missing + " does not exist"},
            {"missing key",
             {{"SSL_CERT_PATH", good_.certificate_path}, {"SSL_KEY_PATH", missing}},
             key_setting + missing + " does not exist"},
            {"folder as certificate",
             {{"SSL_CERT_PATH", directory_}, {"SSL_KEY_PATH", good_.key_path}},
             cert_setting + directory_ + " is not a regular file"},
            {"malformed certificate",
             {{"SSL_CERT_PATH", garbage}, {"SSL_KEY_PATH", good_.key_path}},
             cert_setting + garbage + " contains no PEM certificate"},
            {"key as certificate",
             {{"SSL_CERT_PATH", good_.key_path}, {"SSL_KEY_PATH", good_.key_path}},
             cert_setting + good_.key_path + " contains no PEM certificate"},
            {"certificate as key",
             {{"SSL_CERT_PATH", good_.certificate_path}, {"SSL_KEY_PATH", good_.certificate_path}},
             key_setting + good_.certificate_path + " contains no PEM private key"},
            {"mismatched key",
             {{"SSL_CERT_PATH", good_.certificate_path}, {"SSL_KEY_PATH", other_.key_path}},
             key_setting + other_.key_path + " does not match the certificate"},
            {"encrypted PKCS#8 key",
             {{"SSL_CERT_PATH", good_.certificate_path}, {"SSL_KEY_PATH", encrypted}},
             key_setting + encrypted + " contains a private key encrypted with a pass phrase"},
            {"encrypted traditional key",
             {{"SSL_CERT_PATH", good_.certificate_path}, {"SSL_KEY_PATH", traditional}},
             key_setting + traditional + " contains a private key encrypted with a pass phrase"},
            {"only the certificate set",
             {{"SSL_CERT_PATH", good_.certificate_path}},
             "server.tls.certificate (SSL_CERT_PATH) is set but server.tls.key (SSL_KEY_PATH) is "
             "missing"},
            {"only the key set",
             {{"SSL_KEY_PATH", good_.key_path}},
             "server.tls.key (SSL_KEY_PATH) is set but server.tls.certificate (SSL_CERT_PATH) is "
             "missing"},
        };
    }

    std::string directory_;
    TestCertificate good_;
    TestCertificate other_;
};

TEST_F(HttpsBadFilesTest, EachCaseStopsStartup) {
    for (const auto& bad : cases()) {
        SCOPED_TRACE(bad.name);
        ServerOptions options;
        options.environment = bad.environment;
        options.close_stdin = true;
        std::string log;

        auto start = Clock::now();
        int exit_code = ServerProcess::runUntilExit(options, 10s, log);

        EXPECT_EQ(exit_code, kConfigExitCode) << log;
        EXPECT_LT(elapsedSince(start), 5000ms);
        EXPECT_NE(log.find(bad.expected_message), std::string::npos) << log;
    }
}

// Root reads a file of mode 000, so the case runs only where the mode denies reading.
TEST_F(HttpsBadFilesTest, UnreadableKeyStopsStartup) {
    std::string unreadable = directory_ + "/unreadable.key";
    fs::copy_file(good_.key_path, unreadable);
    ::chmod(unreadable.c_str(), 0);
    if (::access(unreadable.c_str(), R_OK) == 0) {
        GTEST_SKIP() << "this user can read a file of mode 000 (root); the folder case covers "
                        "files that cannot be opened";
    }
    ServerOptions options;
    options.environment = {{"SSL_CERT_PATH", good_.certificate_path}, {"SSL_KEY_PATH", unreadable}};
    options.close_stdin = true;
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, kConfigExitCode) << log;
    EXPECT_NE(log.find(unreadable + " cannot be read: Permission denied"), std::string::npos)
        << log;
}

}  // namespace
}  // namespace valhalla::test
