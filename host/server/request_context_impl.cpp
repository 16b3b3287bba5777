#include "server/request_context_impl.hpp"

#include <stdexcept>

namespace valhalla::host::server {

RequestContextImpl::RequestContextImpl(
    Poco::Net::HTTPServerRequest& request,
    Poco::Net::HTTPServerResponse& response,
    std::vector<std::pair<std::string, std::string>> path_parameters,
    Poco::URI::QueryParameters query_parameters,
    const std::string& request_id,
    const std::string& route_pattern,
    std::size_t max_body_size)
    : request_(request),
      response_(response),
      path_parameters_(std::move(path_parameters)),
      query_(std::move(query_parameters)),
      request_id_(request_id),
      route_pattern_(route_pattern),
      max_body_size_(max_body_size) {}

const std::string& RequestContextImpl::pathParameter(std::string_view name) const {
    for (const auto& [key, value] : path_parameters_) {
        if (key == name) {
            return value;
        }
    }
    throw std::out_of_range("route " + route_pattern_ + " has no path parameter '" +
                            std::string(name) + "'");
}

std::optional<std::string> RequestContextImpl::queryParameter(std::string_view name) const {
    for (const auto& [key, value] : query_) {
        if (key == name) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace valhalla::host::server
