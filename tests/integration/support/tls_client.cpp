#include "support/tls_client.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>

#include "support/server_process.hpp"

namespace valhalla::test {

namespace {

constexpr std::chrono::seconds kOpenSslTimeout{30};
constexpr std::size_t kReadChunk = 16 * 1024;

std::string toLower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return text;
}

Poco::Timespan toTimespan(std::chrono::milliseconds timeout) {
    return Poco::Timespan(std::chrono::microseconds(timeout).count());
}

// Parses the status line and header lines of `head`, which ends before the empty
// line. Throws std::runtime_error when the status line is malformed.
HttpResponse parseHead(const std::string& head) {
    HttpResponse response;
    std::size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) {
        throw std::runtime_error("malformed status line '" + status_line + "'");
    }
    response.status = std::stoi(status_line.substr(9, 3));
    response.reason = status_line.size() > 13 ? status_line.substr(13) : "";
    while (line_end != std::string::npos) {
        std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        std::string line = head.substr(start, line_end - start);
        std::size_t colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        std::size_t value = line.find_first_not_of(' ', colon + 1);
        response.headers[toLower(line.substr(0, colon))] =
            value == std::string::npos ? "" : line.substr(value);
    }
    return response;
}

}  // namespace

TestCertificate makeTestCertificate(const std::string& directory,
                                    const std::string& name,
                                    const std::string& common_name) {
    TestCertificate files{
        directory + "/" + name + ".crt", directory + "/" + name + ".key", common_name};
    ProgramResult result = runProgram({"openssl",
                                       "req",
                                       "-x509",
                                       "-newkey",
                                       "ec",
                                       "-pkeyopt",
                                       "ec_paramgen_curve:P-256",
                                       "-nodes",
                                       "-days",
                                       "2",
                                       "-subj",
                                       "/CN=" + common_name,
                                       "-addext",
                                       "subjectAltName=IP:127.0.0.1",
                                       "-keyout",
                                       files.key_path,
                                       "-out",
                                       files.certificate_path},
                                      kOpenSslTimeout);
    if (!result.succeeded()) {
        throw std::runtime_error("openssl req failed with " +
                                 describeWaitStatus(result.wait_status) + ":\n" + result.output);
    }
    return files;
}

Poco::Net::Context::Ptr trustingClientContext() {
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_NONE);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    return context;
}

HttpResponse httpsRequest(int port,
                          const std::string& method,
                          const std::string& path,
                          const std::string& body,
                          const std::map<std::string, std::string>& headers,
                          std::chrono::milliseconds timeout) {
    Poco::Net::HTTPSClientSession session(
        "127.0.0.1", static_cast<Poco::UInt16>(port), trustingClientContext());
    session.setTimeout(toTimespan(timeout));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }

    // With badbit in the exception mask, a timeout throws instead of truncating.
    std::ostream& request_body = session.sendRequest(request);
    request_body.exceptions(std::ios::badbit);
    request_body << body;
    Poco::Net::HTTPResponse response;
    std::istream& response_body = session.receiveResponse(response);

    HttpResponse result;
    result.status = static_cast<int>(response.getStatus());
    result.reason = response.getReason();
    for (const auto& [name, value] : response) {
        result.headers[toLower(name)] = value;
    }
    if (method != "HEAD") {
        response_body.exceptions(std::ios::badbit);
        Poco::StreamCopier::copyToString(response_body, result.body);
    }
    return result;
}

TlsConnection::TlsConnection(int port, std::chrono::milliseconds timeout)
    : socket_(Poco::Net::SecureStreamSocket(
          Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
          trustingClientContext())) {
    socket_.setReceiveTimeout(toTimespan(timeout));
    socket_.setSendTimeout(toTimespan(timeout));
}

void TlsConnection::send(const std::string& bytes) {
    int sent = socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    if (sent != static_cast<int>(bytes.size())) {
        throw std::runtime_error("sent " + std::to_string(sent) + " of " +
                                 std::to_string(bytes.size()) + " bytes");
    }
}

std::vector<HttpResponse> TlsConnection::readResponses(std::size_t count) {
    std::vector<HttpResponse> responses;
    char chunk[kReadChunk];
    while (responses.size() < count) {
        if (auto response = takeResponse(buffer_)) {
            responses.push_back(std::move(*response));
            continue;
        }
        int received = 0;
        try {
            received = socket_.receiveBytes(chunk, sizeof(chunk));
        } catch (const Poco::TimeoutException&) {
            break;
        } catch (const Poco::Net::NetException&) {
            break;
        }
        if (received <= 0) {
            break;
        }
        buffer_.append(chunk, static_cast<std::size_t>(received));
    }
    return responses;
}

std::string TlsConnection::peerCommonName() const {
    return socket_.peerCertificate().commonName();
}

std::optional<HttpResponse> takeResponse(std::string& buffer) {
    std::size_t head_end = buffer.find("\r\n\r\n");
    if (head_end == std::string::npos) {
        return std::nullopt;
    }
    HttpResponse response = parseHead(buffer.substr(0, head_end));
    std::size_t length = 0;
    bool has_body = response.status >= 200 && response.status != 204 && response.status != 304;
    if (has_body && !response.header("content-length").empty()) {
        length = std::stoul(response.header("content-length"));
    }
    std::size_t body_start = head_end + 4;
    if (buffer.size() < body_start + length) {
        return std::nullopt;
    }
    response.body = buffer.substr(body_start, length);
    buffer.erase(0, body_start + length);
    return response;
}

}  // namespace valhalla::test
