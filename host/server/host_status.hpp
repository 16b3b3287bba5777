#pragma once

#include <string>
#include <vector>

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

    /// Runs the plugins' readiness checks; one "<plugin>: <reason>" line per plugin
    /// that is not ready.
    virtual std::vector<std::string> pluginsNotReady() const = 0;

    /// Plugin generation this worker serves.
    virtual int generation() const = 0;

    /// The supervisor's record of generations, plugin load results, reload failures
    /// and workers, or null when no record was published yet.
    virtual Poco::JSON::Object::Ptr supervisorRecord() const = 0;

    /// Every metric of every worker in the Prometheus text format.
    virtual std::string metricsText() const = 0;
};

}  // namespace valhalla::host::server
