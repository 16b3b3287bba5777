#include <filesystem>
#include <fstream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

namespace fs = std::filesystem;

using namespace std::chrono_literals;

constexpr const char* kAdminToken = "test-admin-token-0123456789";

void writeFile(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

/// Returns the load result of `file_name` from /admin/plugins.
Poco::JSON::Object::Ptr pluginEntry(int port, const std::string& file_name) {
    auto response = httpRequest(port,
                                "GET",
                                "/admin/plugins",
                                "",
                                {{"Authorization", std::string("Bearer ") + kAdminToken}});
    auto body = Poco::JSON::Parser().parse(response.body).extract<Poco::JSON::Object::Ptr>();
    auto plugins = body->getArray("plugins");
    for (std::size_t i = 0; i < plugins->size(); ++i) {
        auto entry = plugins->getObject(static_cast<unsigned>(i));
        if (entry->getValue<std::string>("file") == file_name) {
            return entry;
        }
    }
    return nullptr;
}

ServerOptions optionsFor(const std::string& plugin_directory) {
    ServerOptions options;
    options.environment["PLUGIN_DIR"] = plugin_directory;
    options.environment["ADMIN_TOKEN"] = kAdminToken;
    return options;
}

struct BadFileCase {
    std::string file_name;
    std::string reason;
};

TEST(PluginLoading, BadFilesAreSkippedWithReasons) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory,
                            {"hello"},
                            {"missing_factory",
                             "needs_key",
                             "reserved_route",
                             "start_throws",
                             "unresolved_symbol",
                             "wrong_abi"});
    writeFile(fs::path(directory) / "garbage.so", "this is not a shared object\n");
    auto server = ServerProcess::start(optionsFor(directory));
    const BadFileCase cases[] = {
        {"garbage.so", "not an ELF file"},
        {"missing_factory.so", "missing the exported symbol valhalla_create_plugin"},
        {"needs_key.so", "missing required configuration key plugins.needs_key.api_key"},
        {"reserved_route.so", "reserved for the host"},
        {"start_throws.so", "deliberate failure in start"},
        {"unresolved_symbol.so", "undefined symbol"},
        {"wrong_abi.so", "SDK ABI version: plugin 999, host 1"},
    };

    auto hello = httpRequest(server->port(), "GET", "/hello");

    EXPECT_EQ(hello.status, 200);
    for (const auto& bad : cases) {
        EXPECT_TRUE(
            server->waitForLog("plugin skipped file=" + directory + "/" + bad.file_name, 5s))
            << bad.file_name;
        auto entry = pluginEntry(server->port(), bad.file_name);
        ASSERT_TRUE(entry) << bad.file_name;
        EXPECT_EQ(entry->getValue<std::string>("state"), "failed") << bad.file_name;
        EXPECT_NE(entry->getValue<std::string>("error").find(bad.reason), std::string::npos)
            << bad.file_name << ": " << entry->getValue<std::string>("error");
    }
}

TEST(PluginLoading, FailedStartRemovesItsRoutes) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"start_throws"});
    auto server = ServerProcess::start(optionsFor(directory));

    auto response = httpRequest(server->port(), "GET", "/test/start-throws");

    EXPECT_EQ(response.status, 404);
}

TEST(PluginLoading, WrongAbiRunsNoPluginCode) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"wrong_abi"});
    std::string marker = (fs::path(makeTemporaryDirectory()) / "marker").string();
    auto options = optionsFor(directory);
    options.environment["VALHALLA_TEST_LOAD_MARKER"] = marker;

    auto server = ServerProcess::start(options);

    EXPECT_TRUE(server->waitForLog("plugin skipped file=" + directory + "/wrong_abi.so", 5s));
    EXPECT_FALSE(fs::exists(marker));
}

TEST(PluginLoading, DuplicateNameLaterFileRejected) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"duplicate_hello"});
    fs::rename(fs::path(directory) / "duplicate_hello.so", fs::path(directory) / "zz_duplicate.so");
    auto server = ServerProcess::start(optionsFor(directory));

    auto entry = pluginEntry(server->port(), "zz_duplicate.so");
    auto hello = httpRequest(server->port(), "GET", "/hello");

    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->getValue<std::string>("state"), "failed");
    EXPECT_NE(entry->getValue<std::string>("error").find(
                  "plugin name 'hello' is already loaded from hello.so"),
              std::string::npos);
    EXPECT_EQ(hello.status, 200);
}

TEST(PluginLoading, RouteConflictNamesHolder) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"conflicting_route"});
    fs::rename(fs::path(directory) / "conflicting_route.so",
               fs::path(directory) / "zz_conflict.so");
    auto server = ServerProcess::start(optionsFor(directory));

    auto entry = pluginEntry(server->port(), "zz_conflict.so");

    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->getValue<std::string>("state"), "failed");
    EXPECT_NE(entry->getValue<std::string>("error").find("of plugin 'hello'"), std::string::npos)
        << entry->getValue<std::string>("error");
}

TEST(PluginLoading, StrippedPluginLoads) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    auto stripped = runProgram({"strip", "--strip-unneeded", directory + "/hello.so"}, 10s);
    ASSERT_TRUE(stripped.succeeded()) << stripped.output;
    auto listed = runProgram({"readelf", "-S", directory + "/hello.so"}, 10s);
    ASSERT_EQ(listed.output.find(".symtab"), std::string::npos) << "strip left .symtab in place";

    auto server = ServerProcess::start(optionsFor(directory));
    auto hello = httpRequest(server->port(), "GET", "/hello");
    auto entry = pluginEntry(server->port(), "hello.so");

    EXPECT_EQ(hello.status, 200);
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->getValue<std::string>("state"), "loaded");
}

TEST(PluginLoading, DotfilesAndOtherFilesIgnored) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    writeFile(fs::path(directory) / ".hidden.so", "ignored");
    writeFile(fs::path(directory) / "notes.txt", "ignored");
    auto server = ServerProcess::start(optionsFor(directory));

    auto response = httpRequest(server->port(),
                                "GET",
                                "/admin/plugins",
                                "",
                                {{"Authorization", std::string("Bearer ") + kAdminToken}});

    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body.find(".hidden.so"), std::string::npos);
    EXPECT_EQ(response.body.find("notes.txt"), std::string::npos);
    EXPECT_NE(response.body.find("hello.so"), std::string::npos);
}

TEST(PluginLoading, LoadsFromPrivateCopy) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    auto server = ServerProcess::start(optionsFor(directory));

    fs::remove(fs::path(directory) / "hello.so");
    auto response = httpRequest(server->port(), "GET", "/hello");

    EXPECT_EQ(response.status, 200);
    EXPECT_TRUE(
        server->waitForLog("folder=" + server->workingDirectory() + "/var/generations/gen-", 5s));
    EXPECT_TRUE(server->waitForLog("files=1 source=" + directory, 5s));
}

TEST(PluginLoading, RequiredPluginFailureStopsStartup) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"}, {"start_throws"});
    auto options = optionsFor(directory);
    options.environment["PLUGINS_REQUIRED"] = "hello,start_throws";
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 15s, log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(log.find("required plugin 'start_throws' did not load"), std::string::npos) << log;
    EXPECT_NE(log.find("deliberate failure in start"), std::string::npos) << log;
}

TEST(PluginLoading, RequiredPluginAbsentStopsStartup) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    auto options = optionsFor(directory);
    options.environment["PLUGINS_REQUIRED"] = "items";
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 15s, log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(
        log.find("required plugin 'items' did not load (no file in the plugin folder declares it)"),
        std::string::npos)
        << log;
    // hello.so loaded fine, so the supervisor must not name it as the cause.
    EXPECT_EQ(log.find("while loading plugin file"), std::string::npos) << log;
}

TEST(PluginLoading, RequiredKeyFromDefineLoads) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {}, {"needs_key"});
    auto options = optionsFor(directory);
    options.arguments = {
        "--define", "plugins.needs_key.api_key=abc", "--define", "plugins.needs_key.typo=1"};
    auto server = ServerProcess::start(options);

    auto response = httpRequest(server->port(), "GET", "/test/needs-key");

    ASSERT_EQ(response.status, 200);
    auto body = Poco::JSON::Parser().parse(response.body).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(body->getValue<int>("api_key_length"), 3);
    EXPECT_EQ(body->getValue<std::string>("greeting"), "hi");
    EXPECT_TRUE(server->waitForLog("unknown configuration key plugins.needs_key.typo", 5s));
}

TEST(PluginLoading, MissingPluginFolderStopsStartup) {
    auto options = optionsFor("/nonexistent/valhalla/plugins");
    std::string log;

    int exit_code = ServerProcess::runUntilExit(options, 15s, log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(log.find("/nonexistent/valhalla/plugins"), std::string::npos) << log;
}

}  // namespace
}  // namespace valhalla::test

namespace valhalla::test {
namespace {

TEST(PluginLoading, FileWritableByOthersStopsStartup) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    std::string file = (std::filesystem::path(directory) / "hello.so").string();
    std::filesystem::permissions(
        file, std::filesystem::perms::others_write, std::filesystem::perm_options::add);
    std::string log;

    int exit_code =
        ServerProcess::runUntilExit(optionsFor(directory), std::chrono::seconds(15), log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(log.find("plugin file " + file + " is writable by other users"), std::string::npos)
        << log;
    EXPECT_NE(log.find("chmod o-w " + file), std::string::npos) << log;
}

TEST(PluginLoading, FolderWritableByOthersStopsStartup) {
    std::string directory = makeTemporaryDirectory();
    populatePluginDirectory(directory, {"hello"});
    std::filesystem::permissions(
        directory,
        std::filesystem::perms::others_write | std::filesystem::perms::sticky_bit,
        std::filesystem::perm_options::add);
    std::string log;

    int exit_code =
        ServerProcess::runUntilExit(optionsFor(directory), std::chrono::seconds(15), log);

    EXPECT_EQ(exit_code, 78);
    EXPECT_NE(log.find("plugin folder " + directory + " is writable by other users"),
              std::string::npos)
        << log;
}

}  // namespace
}  // namespace valhalla::test
