#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <valhalla/sdk/request_context.hpp>

namespace valhalla::host::server {

/// The host's sdk::RequestContext for one call of one handler.
class RequestContextImpl : public sdk::RequestContext {
public:
    RequestContextImpl(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response,
                       std::vector<std::pair<std::string, std::string>> path_parameters,
                       Poco::URI::QueryParameters query_parameters,
                       const std::string& request_id,
                       const std::string& route_pattern,
                       std::size_t max_body_size);

    Poco::Net::HTTPServerRequest& request() override { return request_; }

    Poco::Net::HTTPServerResponse& response() override { return response_; }

    const std::string& pathParameter(std::string_view name) const override;

    const Poco::URI::QueryParameters& queryParameters() const override { return query_; }

    std::optional<std::string> queryParameter(std::string_view name) const override;

    const std::string& requestId() const override { return request_id_; }

    const std::string& routePattern() const override { return route_pattern_; }

    std::size_t maxBodySize() const override { return max_body_size_; }

private:
    Poco::Net::HTTPServerRequest& request_;
    Poco::Net::HTTPServerResponse& response_;
    std::vector<std::pair<std::string, std::string>> path_parameters_;
    Poco::URI::QueryParameters query_;
    const std::string& request_id_;
    const std::string& route_pattern_;
    std::size_t max_body_size_;
};

}  // namespace valhalla::host::server
