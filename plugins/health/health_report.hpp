#pragma once

#include <cstdint>
#include <string>

#include <Poco/JSON/Object.h>

#include "database_probe.hpp"

namespace valhalla::plugins::health {

/// Builds the body of GET /api/v1/health, members in the order status, version,
/// uptime_seconds, database. The status is "ok" when the database is reachable,
/// otherwise "degraded".
Poco::JSON::Object::Ptr healthToJson(const std::string& host_version,
                                     std::int64_t uptime_seconds,
                                     const DatabaseStatus& database);

}  // namespace valhalla::plugins::health
