#pragma once

#include <cstdint>
#include <string>

#include <valhalla/sdk/request_context.hpp>

namespace valhalla::plugins::items {

/// Number of items a list request returns when it has no `limit` parameter, unless the
/// configured maximum is lower.
inline constexpr std::int64_t kDefaultPageLimit = 20;

/// The `limit` and `offset` query parameters of a list request.
struct PageRequest {
    std::int64_t limit = kDefaultPageLimit;
    std::int64_t offset = 0;
};

/// Reads `limit` (1 to `max_limit`, default kDefaultPageLimit or `max_limit` when lower)
/// and `offset` (0 or more, default 0). Throws sdk::HttpError 400 naming the parameter
/// and its value when either is invalid.
PageRequest readPageRequest(const sdk::RequestContext& request, std::int64_t max_limit);

/// Reads the `{id}` path parameter. Throws sdk::HttpError 404 when it is not a positive
/// decimal integer, because no item can have such an id.
std::int64_t readItemId(const sdk::RequestContext& request);

}  // namespace valhalla::plugins::items
