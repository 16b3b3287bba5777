#pragma once

#include <map>
#include <string>
#include <vector>

#include "support/mariadb_server.hpp"

namespace valhalla::test {

/// Runs SQL through the mariadb command-line client as an administrator of the test's
/// MariaDB, on a connection of its own outside valhalla's pool.
class MariaDbAdmin {
public:
    /// Connects over TCP as the user of the shared test server, which has every privilege.
    static MariaDbAdmin forShared(const SharedMariaDb& server);

    /// Connects as root over the Unix socket of a private server.
    static MariaDbAdmin forPrivate(const PrivateMariaDb& server);

    /// Runs `sql` and returns its rows as tab-separated lines without a header line.
    /// Throws std::runtime_error with the client output when the client fails.
    std::string query(const std::string& sql) const;

    /// Returns the ids of the connections whose current database is `database`, other
    /// than this client's own.
    std::vector<std::string> connectionIds(const std::string& database) const;

    /// Kills every connection whose current database is `database` and returns how
    /// many there were.
    std::size_t killConnections(const std::string& database) const;

private:
    explicit MariaDbAdmin(std::vector<std::string> client) : client_(std::move(client)) {}

    /// The client command line without the SQL.
    std::vector<std::string> client_;
};

/// Settings that point valhalla at `database` on a private server as the user
/// `valhalla` with `password`, as createPrivateDatabase() sets them up.
std::map<std::string, std::string> privateServerEnvironment(const PrivateMariaDb& server,
                                                            const std::string& database,
                                                            const std::string& password);

/// Creates `database` and the user valhalla@127.0.0.1 with `password` and every
/// privilege on it, on a private server that runs.
void createPrivateDatabase(const PrivateMariaDb& server,
                           const std::string& database,
                           const std::string& password);

}  // namespace valhalla::test
