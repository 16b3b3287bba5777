#pragma once

#include <chrono>
#include <map>
#include <string>

namespace valhalla::test {

/// A response as received over a real TCP connection.
struct HttpResponse {
    int status = 0;
    std::string reason;
    /// Header names in lower case; a repeated header keeps its last value.
    std::map<std::string, std::string> headers;
    std::string body;

    /// Value of a header by case-insensitive name, or an empty string.
    std::string header(const std::string& name) const;
};

/// Sends one HTTP/1.1 request to 127.0.0.1:`port` with Poco's HTTP client and returns
/// the response. `headers` are added as given. Unless they contain Content-Length or
/// Transfer-Encoding, Content-Length is set from `body` when it is not empty, and to 0
/// for an empty POST, PUT or PATCH. The body of a HEAD response is not read. Throws
/// Poco::Exception on connection errors and when connecting, sending or one receive
/// takes longer than `timeout`.
HttpResponse httpRequest(int port,
                         const std::string& method,
                         const std::string& path,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// Sends a JSON body with `Content-Type: application/json`.
HttpResponse httpJson(int port,
                      const std::string& method,
                      const std::string& path,
                      const std::string& json);

}  // namespace valhalla::test
