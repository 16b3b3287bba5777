#include "health_report.hpp"

#include <Poco/Types.h>

namespace valhalla::plugins::health {

Poco::JSON::Object::Ptr healthToJson(const std::string& host_version,
                                     std::int64_t uptime_seconds,
                                     const DatabaseStatus& database) {
    Poco::JSON::Object::Ptr database_json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    database_json->set("connector", database.connector);
    database_json->set("reachable", database.reachable);
    database_json->set("pool_size", static_cast<Poco::UInt64>(database.pool_size));
    database_json->set("in_use", static_cast<Poco::UInt64>(database.in_use));

    Poco::JSON::Object::Ptr json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    json->set("status", database.reachable ? "ok" : "degraded");
    json->set("version", host_version);
    json->set("uptime_seconds", static_cast<Poco::Int64>(uptime_seconds));
    json->set("database", database_json);
    return json;
}

}  // namespace valhalla::plugins::health
