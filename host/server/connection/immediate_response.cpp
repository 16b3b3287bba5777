#include "server/connection/immediate_response.hpp"

#include <cerrno>
#include <sstream>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Timestamp.h>

#include <sys/socket.h>

namespace valhalla::host::server::connection {

std::string immediateResponse(int status,
                              const std::string& detail,
                              const std::string& request_id,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
    auto code = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status);
    const std::string& title = Poco::Net::HTTPResponse::getReasonForStatus(code);

    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("type", "about:blank");
    body.set("title", title);
    body.set("status", status);
    body.set("detail", detail);
    body.set("request_id", request_id);
    std::ostringstream text;
    body.stringify(text);
    std::string payload = text.str();

    std::string response = "HTTP/1.1 " + std::to_string(status) + " " + title + "\r\n";
    response +=
        "Date: " +
        Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::HTTP_FORMAT) +
        "\r\n";
    response += "Content-Type: application/problem+json\r\n";
    response += "Content-Length: " + std::to_string(payload.size()) + "\r\n";
    response += "X-Request-Id: " + request_id + "\r\n";
    for (const auto& [name, value] : headers) {
        response += name + ": " + value + "\r\n";
    }
    response += "Connection: close\r\n\r\n";
    response += payload;
    return response;
}

bool writeWithoutWaiting(int fd, const std::string& response) {
    std::size_t written = 0;
    while (written < response.size()) {
        ssize_t sent = ::send(
            fd, response.data() + written, response.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            written += static_cast<std::size_t>(sent);
        } else if (sent < 0 && errno == EINTR) {
            continue;
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace valhalla::host::server::connection
