#pragma once

#include <string>
#include <utility>
#include <vector>

#include <Poco/Net/HTTPServerResponse.h>

#include <valhalla/sdk/http_error.hpp>

namespace valhalla::host::server {

/// The parts of an `application/problem+json` response.
struct Problem {
    int status = 500;
    std::string detail;
    std::string request_id;
    std::vector<sdk::FieldError> field_errors;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// Sends `problem` as `application/problem+json` with type, title, status, detail,
/// request_id and, when present, errors. Does nothing when the response was sent.
void sendProblem(Poco::Net::HTTPServerResponse& response, const Problem& problem);

/// Builds a Problem from an error a handler threw.
Problem problemFrom(const sdk::HttpError& error, const std::string& request_id);

}  // namespace valhalla::host::server
