#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <valhalla/sdk/export.hpp>

namespace valhalla::sdk {

/// One invalid field of a request, reported in the `errors` member of a problem
/// response.
struct FieldError {
    /// Name of the field, such as `price`.
    std::string field;
    /// Reason the value is invalid, sent to the client.
    std::string message;
};

/// An HTTP error that a handler throws to end the request with a status other than
/// 2xx. The host turns it into an `application/problem+json` response with the
/// status, a title, the detail and the request id, and logs a warning for a status
/// of 500 or more. Any other exception that leaves a handler becomes a 500 and is
/// logged as a bug. When the handler already sent the response, the host closes the
/// connection instead.
class VALHALLA_SDK_API HttpError : public std::runtime_error {
public:
    /// Creates an error with an HTTP status from 400 to 599 and a detail. The host sends
    /// any other status as 500. The detail goes to the client, so it must not contain
    /// secrets.
    HttpError(int status, std::string detail)
        : std::runtime_error(detail), status_(status), detail_(std::move(detail)) {}

    /// HTTP status code of the response.
    int status() const noexcept { return status_; }

    /// Human-readable explanation sent as the problem's `detail`.
    const std::string& detail() const noexcept { return detail_; }

    /// Invalid fields, sent as the problem's `errors` array when not empty.
    const std::vector<FieldError>& fieldErrors() const noexcept { return field_errors_; }

    /// Extra response headers, such as Retry-After on a 503.
    const std::vector<std::pair<std::string, std::string>>& headers() const noexcept {
        return headers_;
    }

    /// Adds an invalid field and returns this error, for chaining.
    HttpError& withField(std::string field, std::string message) {
        field_errors_.push_back({std::move(field), std::move(message)});
        return *this;
    }

    /// Adds a response header and returns this error, for chaining.
    HttpError& withHeader(std::string name, std::string value) {
        headers_.emplace_back(std::move(name), std::move(value));
        return *this;
    }

private:
    int status_;
    std::string detail_;
    std::vector<FieldError> field_errors_;
    std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace valhalla::sdk
