#pragma once

#include <sstream>
#include <string>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/MediaType.h>
#include <Poco/StreamCopier.h>

#include <valhalla/sdk/http_error.hpp>
#include <valhalla/sdk/request_context.hpp>

namespace valhalla::sdk {

/// Sends `body` as `application/json` with the given status and a Content-Length.
inline void sendJson(RequestContext& context,
                     Poco::Net::HTTPResponse::HTTPStatus status,
                     const Poco::Dynamic::Var& body) {
    std::ostringstream text;
    Poco::JSON::Stringifier::condense(body, text);
    std::string payload = text.str();

    auto& response = context.response();
    response.setStatusAndReason(status);
    response.setContentType("application/json");
    response.sendBuffer(payload.data(), payload.size());
}

/// Reads the request body as a JSON object.
///
/// Throws HttpError 415 unless the Content-Type is `application/json`, 413 when the
/// body exceeds `maxBodySize()`, and 400 when the body is not a JSON object.
inline Poco::JSON::Object::Ptr readJsonObject(RequestContext& context) {
    auto& request = context.request();
    std::string type = request.getContentType();
    if (type.empty() || Poco::Net::MediaType(type).getSubType() != "json" ||
        Poco::Net::MediaType(type).getType() != "application") {
        throw HttpError(415, "Content-Type must be application/json, got '" + type + "'");
    }

    std::string body;
    std::size_t limit = context.maxBodySize();
    char buffer[8192];
    auto& stream = request.stream();
    while (stream.read(buffer, sizeof(buffer)) || stream.gcount() > 0) {
        body.append(buffer, static_cast<std::size_t>(stream.gcount()));
        if (body.size() > limit) {
            throw HttpError(413, "request body exceeds " + std::to_string(limit) + " bytes");
        }
    }
    if (stream.bad()) {
        throw HttpError(400,
                        "the request body could not be read: malformed chunked encoding or a "
                        "broken connection");
    }

    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(body);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
            throw HttpError(400, "request body must be a JSON object");
        }
        return parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& error) {
        throw HttpError(400, "malformed JSON in request body: " + error.message());
    }
}

}  // namespace valhalla::sdk
