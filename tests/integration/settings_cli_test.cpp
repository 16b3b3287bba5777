#include <fstream>

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

using namespace std::chrono_literals;

TEST(SettingsCli, HelpListsSettingsAndExitsZero) {
    ServerOptions options;
    options.arguments = {"--help"};
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, 0);
    EXPECT_NE(log.find("--config-file"), std::string::npos) << log;
    EXPECT_NE(log.find("--define"), std::string::npos) << log;
    EXPECT_NE(log.find("FLASK_PORT"), std::string::npos) << log;
    EXPECT_NE(log.find("MYSQL_POOL_SIZE"), std::string::npos) << log;
}

TEST(SettingsCli, InvalidPortStopsStartup) {
    ServerOptions options;
    options.arguments = {"--define", "server.port=99999"};
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(log.find("server.port"), std::string::npos) << log;
    EXPECT_NE(log.find("99999"), std::string::npos) << log;
}

TEST(SettingsCli, InvalidEnvironmentValueNamesVariable) {
    ServerOptions options;
    options.environment["WORKERS"] = "many";
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(log.find("WORKERS"), std::string::npos) << log;
    EXPECT_NE(log.find("'many'"), std::string::npos) << log;
}

TEST(SettingsCli, MalformedDefineIsUsageError) {
    ServerOptions options;
    options.arguments = {"--define", "no-equals-sign"};
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, 64);
    EXPECT_NE(log.find("expected KEY=VALUE"), std::string::npos) << log;
}

TEST(SettingsCli, UnknownOptionIsUsageError) {
    ServerOptions options;
    options.arguments = {"--no-such-option"};
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, 64);
    EXPECT_NE(log.find("no-such-option"), std::string::npos) << log;
    EXPECT_NE(log.find("run valhalla --help"), std::string::npos) << log;
}

TEST(SettingsCli, DaemonReportsUnknownOption) {
    ServerOptions options;
    options.arguments = {"--daemon", "--no-such-option"};
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    // Reported before detaching, while stderr is still the terminal.
    EXPECT_EQ(exit_code, 64);
    EXPECT_NE(log.find("no-such-option"), std::string::npos) << log;
}

TEST(SettingsCli, DaemonReportsInvalidSetting) {
    ServerOptions options;
    options.arguments = {"--daemon", "--define", "server.port=99999"};
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(log.find("server.port"), std::string::npos) << log;
    EXPECT_NE(log.find("99999"), std::string::npos) << log;
}

TEST(SettingsCli, DaemonReportsUnwritableLogFile) {
    ServerOptions options;
    options.arguments = {"--daemon"};
    options.environment["LOG_FILE"] = "/nonexistent-folder/valhalla.log";
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(log.find("cannot open log file /nonexistent-folder/valhalla.log"), std::string::npos)
        << log;
}

TEST(SettingsCli, DaemonReportsMissingPidFileFolder) {
    ServerOptions options;
    options.arguments = {"--daemon", "--pidfile=/nonexistent-folder/valhalla.pid"};
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(log.find("cannot write the pid file /nonexistent-folder/valhalla.pid"),
              std::string::npos)
        << log;
}

TEST(SettingsCli, NonOctalUmaskIsUsageError) {
    ServerOptions options;
    options.arguments = {"--daemon", "--umask=999"};
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 10s, log);

    EXPECT_EQ(exit_code, 64);
    EXPECT_NE(log.find("invalid --umask '999'"), std::string::npos) << log;
}

TEST(SettingsCli, DotEnvFileIsRead) {
    std::string directory = makeTemporaryDirectory();
    {
        std::ofstream env(directory + "/.env");
        env << "# settings for this test\nplugins.hello.message=from-dotenv\n";
    }
    ServerOptions options;
    options.working_directory = directory;
    auto server = ServerProcess::start(options);

    auto response = httpRequest(server->port(), "GET", "/hello");

    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, R"({"message":"from-dotenv"})");
}

TEST(SettingsCli, EnvironmentOverridesDotEnv) {
    std::string directory = makeTemporaryDirectory();
    {
        std::ofstream env(directory + "/.env");
        env << "LOG_LEVEL=debug\nFLASK_PORT=1\n";
    }
    ServerOptions options;
    options.working_directory = directory;

    auto server = ServerProcess::start(options);

    EXPECT_EQ(httpRequest(server->port(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace valhalla::test
