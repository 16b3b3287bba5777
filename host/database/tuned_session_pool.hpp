#pragma once

#include <string>

#include <Poco/Data/SessionPool.h>

namespace valhalla::host::database {

/// A SessionPool that sets session options on every new connection: UTC time and
/// strict SQL mode on MySQL, WAL journal and a busy timeout on SQLite.
class TunedSessionPool : public Poco::Data::SessionPool {
public:
    TunedSessionPool(const std::string& connector,
                     const std::string& connection_string,
                     int max_sessions);

protected:
    void customizeSession(Poco::Data::Session& session) override;
};

}  // namespace valhalla::host::database
