#include "support/http_client.hpp"

#include <algorithm>
#include <cctype>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>

namespace valhalla::test {

namespace {

std::string toLower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    return text;
}

bool methodSendsBody(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
    auto found = headers.find(toLower(name));
    return found == headers.end() ? std::string() : found->second;
}

HttpResponse httpRequest(int port,
                         const std::string& method,
                         const std::string& path,
                         const std::string& body,
                         const std::map<std::string, std::string>& headers,
                         std::chrono::milliseconds timeout) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(std::chrono::microseconds(timeout).count()));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    bool framed = request.has(Poco::Net::HTTPMessage::CONTENT_LENGTH) ||
                  request.has(Poco::Net::HTTPMessage::TRANSFER_ENCODING);
    if (!framed && (!body.empty() || methodSendsBody(method))) {
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }

    // A stream swallows exceptions from its buffer unless its exception mask includes
    // badbit, which would turn a timeout into a silently truncated body.
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

HttpResponse httpJson(int port,
                      const std::string& method,
                      const std::string& path,
                      const std::string& json) {
    return httpRequest(port, method, path, json, {{"Content-Type", "application/json"}});
}

}  // namespace valhalla::test
