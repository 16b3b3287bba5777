#pragma once

#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace valhalla::test {

/// Connection values of the private MariaDB that tests/run.sh starts, read from
/// VALHALLA_TEST_MYSQL_HOST, _PORT, _USER, _PASSWORD and _DATABASE. `available()`
/// is false when tests/run.sh did not start one; MySQL tests then fail with a
/// message saying to run them through tests/run.sh.
struct SharedMariaDb {
    std::string host;
    int port = 0;
    std::string user;
    std::string password;
    std::string database;

    static SharedMariaDb fromEnvironment();

    bool available() const { return port != 0; }

    /// Creates an empty utf8mb4 database named `valhalla_test_<pid>_<counter>` through
    /// the mariadb client and returns its name. Throws std::runtime_error with the
    /// client output on failure, or when `available()` is false.
    std::string createDatabase() const;

    /// The server's MySQL settings for `database`: MYSQL_HOST, _PORT, _USER,
    /// _PASSWORD and _DATABASE.
    std::map<std::string, std::string> serverEnvironment(const std::string& database) const;
};

/// A MariaDB server of a test's own, on 127.0.0.1 with its own data folder, socket
/// and port, for tests that stop and start the database. Stopped by pid.
class PrivateMariaDb {
public:
    /// Initializes the data folder; does not start the server yet.
    PrivateMariaDb();
    ~PrivateMariaDb();
    PrivateMariaDb(const PrivateMariaDb&) = delete;
    PrivateMariaDb& operator=(const PrivateMariaDb&) = delete;

    int port() const { return port_; }

    /// Starts the server and waits until a ping succeeds; throws on failure.
    void start();
    /// Stops the server with SIGTERM to its pid and waits for it to exit.
    void stop();
    /// Runs SQL as root through the mariadb client; throws with its output on error.
    void execute(const std::string& sql) const;
    /// Runs SQL as root and returns the result rows as tab-separated lines without a
    /// header line; throws with the client output on error.
    std::string query(const std::string& sql) const;

    /// Unix socket of the server, for clients that do not use TCP.
    std::string socketPath() const { return data_directory_ + "/mysqld.sock"; }

    /// Private temporary folder of the server, in place of /tmp.
    std::string temporaryDirectory() const { return root_directory_ + "/tmp"; }

private:
    /// Runs the mariadb client as root over the socket with `options` before `-e sql`.
    std::string runClient(const std::vector<std::string>& options, const std::string& sql) const;

    /// Temporary folder that contains the data folder and the logs, removed by the destructor.
    std::string root_directory_;
    std::string data_directory_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace valhalla::test
