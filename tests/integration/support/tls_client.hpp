#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>

#include "support/http_client.hpp"

namespace valhalla::test {

/// A self-signed certificate and its private key, in PEM files made by the
/// `openssl` command.
struct TestCertificate {
    std::string certificate_path;
    std::string key_path;
    std::string common_name;
};

/// Creates `<name>.crt` and `<name>.key` in `directory`: an EC P-256 key without a
/// pass phrase and a self-signed certificate for 127.0.0.1 with subject CN
/// `common_name`, valid for two days. Throws std::runtime_error with the output of
/// openssl when it fails.
TestCertificate makeTestCertificate(const std::string& directory,
                                    const std::string& name,
                                    const std::string& common_name);

/// A client TLS context that offers TLS 1.2 and 1.3 and accepts any server
/// certificate, because the test certificates are self-signed.
Poco::Net::Context::Ptr trustingClientContext();

/// Sends one request over HTTPS, like httpRequest, with trustingClientContext().
HttpResponse httpsRequest(int port,
                          const std::string& method,
                          const std::string& path,
                          const std::string& body = "",
                          const std::map<std::string, std::string>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A TLS connection to 127.0.0.1 that sends raw bytes and parses the responses, for
/// requests that an HTTP client would not send, such as pipelined ones.
class TlsConnection {
public:
    /// Connects and completes the handshake; every later wait is bounded by
    /// `timeout`. Throws Poco::Exception on failure.
    explicit TlsConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(3));

    /// Sends `bytes` with one TLS write.
    void send(const std::string& bytes);

    /// Reads until `count` whole responses framed by Content-Length have arrived and
    /// returns them. Returns fewer when the server closes the connection or nothing
    /// arrives within the timeout.
    std::vector<HttpResponse> readResponses(std::size_t count);

    /// Common name in the subject of the server's certificate.
    std::string peerCommonName() const;

private:
    Poco::Net::SecureStreamSocket socket_;
    std::string buffer_;
};

/// Removes one whole response framed by Content-Length from the start of `buffer`
/// and returns it, or returns std::nullopt when the buffer contains no whole response.
std::optional<HttpResponse> takeResponse(std::string& buffer);

}  // namespace valhalla::test
