#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace valhalla::host::server {

/// Worker state for the built-in endpoints. Implementations are
/// thread-safe.
class HostStatus {
public:
    virtual ~HostStatus() = default;

    /// Load result of every plugin file: name, version, file, checksum, state,
    /// routes and, for a failure, the reason.
    virtual Poco::JSON::Array::Ptr plugins() const = 0;

    /// Database summary: connector, pool size, sessions in use and, when
    /// `check_reachable`, whether `SELECT 1` succeeds on a session.
    virtual Poco::JSON::Object::Ptr database(bool check_reachable) const = 0;

    /// Whether this worker finished start-up and is not stopping.
    virtual bool serving() const = 0;
};

}  // namespace valhalla::host::server
