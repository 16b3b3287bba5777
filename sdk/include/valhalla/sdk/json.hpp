#pragma once

#include <istream>
#include <sstream>
#include <string>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/MediaType.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <valhalla/sdk/http_error.hpp>
#include <valhalla/sdk/request_context.hpp>

namespace valhalla::sdk {

/// Sends `body` as `application/json` with the given status and a Content-Length.
/// The response is then complete: set headers before the call, and do not throw
/// HttpError after it, because the host can only close the connection then. Throws
/// Poco exceptions when writing to the client fails.
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

namespace detail {

/// Returns the first integer literal of a JSON text that does not fit in 64 bits,
/// or an empty string. Poco 1.11's JSON parser wraps such numbers silently.
inline std::string findOverflowingInteger(const std::string& json) {
    static const std::string kMaxUnsigned = "18446744073709551615";
    auto isDigit = [](char c) { return c >= '0' && c <= '9'; };
    std::size_t i = 0;
    while (i < json.size()) {
        char c = json[i];
        if (c == '"') {
            // Skip the string, escapes included.
            for (++i; i < json.size() && json[i] != '"'; ++i) {
                if (json[i] == '\\') {
                    ++i;
                }
            }
            ++i;
            continue;
        }
        if (c != '-' && !isDigit(c)) {
            ++i;
            continue;
        }
        // A number token: [-] digits [. digits] [e [+-] digits].
        std::size_t start = c == '-' ? i + 1 : i;
        std::size_t end = start;
        while (end < json.size() && isDigit(json[end])) {
            ++end;
        }
        std::string digits = json.substr(start, end - start);
        bool fraction_or_exponent =
            end < json.size() && (json[end] == '.' || json[end] == 'e' || json[end] == 'E');
        bool too_large = digits.size() > kMaxUnsigned.size() ||
                         (digits.size() == kMaxUnsigned.size() && digits > kMaxUnsigned);
        if (!fraction_or_exponent && too_large) {
            return digits;
        }
        i = end;
        while (i < json.size() && (isDigit(json[i]) || json[i] == '.' || json[i] == 'e' ||
                                   json[i] == 'E' || json[i] == '+' || json[i] == '-')) {
            ++i;
        }
    }
    return {};
}

/// Reads a whole request body of at most `limit` bytes from `stream`. Throws
/// HttpError 413 above the limit, 408 when the host's read timed out and 400 when the
/// body ended early or its framing was invalid.
inline std::string readBody(std::istream& stream, std::size_t limit) {
    constexpr const char* kUnreadableBody =
        "the request body could not be read to its end: malformed chunked encoding, or the "
        "client stopped sending or closed the connection";
    std::string body;
    char buffer[8192];

    // With badbit in the mask, the stream rethrows the host's read error, so that a
    // timeout is distinguishable from a malformed body. The guard clears the mask on
    // every exit, so that the host's later drain of an unread body is not affected.
    struct MaskGuard {
        std::istream& stream;

        ~MaskGuard() { stream.exceptions(std::ios::goodbit); }
    } guard{stream};

    stream.exceptions(std::ios::badbit);
    try {
        while (stream.read(buffer, sizeof(buffer)) || stream.gcount() > 0) {
            body.append(buffer, static_cast<std::size_t>(stream.gcount()));
            if (body.size() > limit) {
                throw HttpError(413,
                                "request body exceeds " + std::to_string(limit) +
                                    " bytes (server.max_body_size)");
            }
        }
    } catch (const Poco::TimeoutException& error) {
        throw HttpError(408, "reading the request body timed out: " + error.message())
            .withHeader("Connection", "close");
    } catch (const Poco::Exception&) {
        throw HttpError(400, kUnreadableBody);
    } catch (const std::ios_base::failure&) {
        throw HttpError(400, kUnreadableBody);
    }
    return body;
}

}  // namespace detail

/// Reads the request body as a JSON object.
///
/// Throws HttpError 415 unless the Content-Type is `application/json`, with no charset
/// or `utf-8`. Throws 413 when
/// the body exceeds `maxBodySize()` and 408 when it does not arrive within the host's
/// timeout. Throws 400 when the body cannot be read to its end, is not a JSON object,
/// or has an integer that does not fit in 64 bits.
inline Poco::JSON::Object::Ptr readJsonObject(RequestContext& context) {
    auto& request = context.request();
    std::string type = request.getContentType();
    Poco::Net::MediaType media(type);
    // Media types compare without regard to case (RFC 9110, section 8.3.1).
    if (type.empty() || Poco::icompare(media.getSubType(), "json") != 0 ||
        Poco::icompare(media.getType(), "application") != 0) {
        throw HttpError(415, "Content-Type must be application/json, got '" + type + "'");
    }
    // JSON exchanged between systems is UTF-8 (RFC 8259, section 8.1).
    if (media.hasParameter("charset") &&
        Poco::icompare(media.getParameter("charset"), "utf-8") != 0) {
        throw HttpError(415,
                        "JSON bodies must be UTF-8, got charset '" + media.getParameter("charset") +
                            "'; send the body as UTF-8 and drop the charset or set it to utf-8");
    }

    std::string body = detail::readBody(request.stream(), context.maxBodySize());

    std::string overflowing = detail::findOverflowingInteger(body);
    if (!overflowing.empty()) {
        throw HttpError(400,
                        "JSON number " + overflowing.substr(0, 40) +
                            " does not fit in 64 bits; send large values as strings");
    }
    // Poco's parser reports a bare scalar such as `null` with an internal message.
    std::size_t first = body.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        throw HttpError(400, "request body must be a JSON object, got an empty body");
    }
    if (body[first] != '{') {
        throw HttpError(400,
                        "request body must be a JSON object, got '" + body.substr(first, 20) + "'");
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
