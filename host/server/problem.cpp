#include "server/problem.hpp"

#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace valhalla::host::server {

namespace {

Poco::JSON::Array::Ptr fieldErrorsJson(const std::vector<sdk::FieldError>& errors) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const auto& error : errors) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("field", error.field);
        item->set("message", error.message);
        array->add(item);
    }
    return array;
}

}  // namespace

void sendProblem(Poco::Net::HTTPServerResponse& response, const Problem& problem) {
    if (response.sent()) {
        return;
    }
    auto status = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(problem.status);
    const std::string& title = Poco::Net::HTTPResponse::getReasonForStatus(status);

    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("type", "about:blank");
    body.set("title", title);
    body.set("status", problem.status);
    body.set("detail", problem.detail);
    body.set("request_id", problem.request_id);
    if (!problem.field_errors.empty()) {
        body.set("errors", fieldErrorsJson(problem.field_errors));
    }
    std::ostringstream text;
    body.stringify(text);
    std::string payload = text.str();

    response.setStatusAndReason(status);
    response.setContentType("application/problem+json");
    for (const auto& [name, value] : problem.headers) {
        response.set(name, value);
    }
    response.sendBuffer(payload.data(), payload.size());
}

Problem problemFrom(const sdk::HttpError& error, const std::string& request_id) {
    Problem problem;
    problem.status = error.status() >= 400 && error.status() <= 599 ? error.status() : 500;
    problem.detail = error.detail();
    problem.request_id = request_id;
    problem.field_errors = error.fieldErrors();
    problem.headers = error.headers();
    return problem;
}

}  // namespace valhalla::host::server
