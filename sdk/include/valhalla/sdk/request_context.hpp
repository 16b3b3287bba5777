#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

namespace valhalla::sdk {

/// One request as a handler receives it: Poco's request and response, the path
/// parameters of the matched route and the query parameters.
///
/// The host creates it for one call of one handler; do not keep references to it
/// after the handler returns. It is used by one thread at a time.
class RequestContext {
public:
    /// Destroyed by the host when the handler returns.
    virtual ~RequestContext() = default;

    /// The request: method, URI, headers and the body stream.
    virtual Poco::Net::HTTPServerRequest& request() = 0;

    /// The response. Set status and headers, then call `send()` or `sendBuffer()`.
    /// A handler that sends nothing produces an empty 200, or the status it set.
    virtual Poco::Net::HTTPServerResponse& response() = 0;

    /// Percent-decoded value of the `{name}` segment of the matched route pattern.
    /// Throws std::out_of_range when the pattern has no such parameter.
    virtual const std::string& pathParameter(std::string_view name) const = 0;

    /// Decoded query parameters in request order; a name can repeat.
    virtual const Poco::URI::QueryParameters& queryParameters() const = 0;

    /// Value of the first query parameter called `name`, if any.
    virtual std::optional<std::string> queryParameter(std::string_view name) const = 0;

    /// Identifier of this request, also sent as the X-Request-Id response header
    /// and written to every log line about it.
    virtual const std::string& requestId() const = 0;

    /// The matched route pattern, such as `/api/v1/items/{id}`.
    virtual const std::string& routePattern() const = 0;

    /// Largest request body in bytes that the host accepts (`server.max_body_size`).
    virtual std::size_t maxBodySize() const = 0;
};

}  // namespace valhalla::sdk
