#include "config/settings.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/cpu_limit.hpp"
#include "config/pool_size.hpp"
#include "config/setting_table.hpp"
#include "config/value_parsers.hpp"
#include <stdlib.h>

namespace valhalla::host::config {

namespace {

using namespace std::chrono_literals;

// A fresh folder under the system temp folder, removed with everything in it.
class TempDirectory {
public:
    TempDirectory() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "valhalla-settings-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed for " + pattern);
        }
        path_ = pattern;
    }

    TempDirectory(const TempDirectory&) = delete;
    TempDirectory& operator=(const TempDirectory&) = delete;

    ~TempDirectory() {
        std::error_code error;
        std::filesystem::remove_all(path_, error);
    }

    const std::filesystem::path& path() const { return path_; }

    /// Writes `text` to `relative` under the folder, creating parent folders.
    std::filesystem::path write(const std::filesystem::path& relative,
                                const std::string& text) const {
        std::filesystem::path file = path_ / relative;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file) << text;
        return file;
    }

private:
    std::filesystem::path path_;
};

}  // namespace

// Starts every test in `<temp>/start` with the executable in `<temp>/install/bin`, and
// an empty environment.
class SettingsTest : public ::testing::Test {
protected:
    SettingsTest() {
        std::filesystem::create_directories(start());
        std::filesystem::create_directories(install() / "bin");
        sources_.start_directory = start().string();
        sources_.executable_directory = (install() / "bin").string();
    }

    std::filesystem::path start() const { return folder_.path() / "start"; }

    std::filesystem::path install() const { return folder_.path() / "install"; }

    std::filesystem::path writeInStart(const std::string& relative, const std::string& text) {
        return folder_.write(std::filesystem::path("start") / relative, text);
    }

    std::filesystem::path writeInInstall(const std::string& relative, const std::string& text) {
        return folder_.write(std::filesystem::path("install") / relative, text);
    }

    // The message of the SettingsError that loading throws, or an empty string.
    std::string loadError() const {
        try {
            loadSettings(sources_);
        } catch (const SettingsError& error) {
            return error.what();
        }
        return {};
    }

    TempDirectory folder_;
    SettingsSources sources_;
};

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_F(SettingsTest, LoadsDefaults) {
    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.host, "0.0.0.0");
    EXPECT_EQ(settings.port, 5000);
    EXPECT_EQ(settings.workers, 1);
    EXPECT_EQ(settings.threads, 32);
    EXPECT_EQ(settings.queue_limit, 1024);
    EXPECT_EQ(settings.queue_timeout, 5s);
    EXPECT_EQ(settings.head_timeout, 10s);
    EXPECT_EQ(settings.keepalive_timeout, 15s);
    EXPECT_EQ(settings.max_body_size, 8U * 1024 * 1024);
    EXPECT_EQ(settings.drain_timeout, 8s);
    EXPECT_EQ(settings.handler_timeout, 30s);
    EXPECT_TRUE(settings.trusted_proxies.empty());
    EXPECT_EQ(settings.tls_certificate, "");
    EXPECT_EQ(settings.tls_key, "");
    EXPECT_EQ(settings.plugin_directory, (install() / "plugins").string());
    EXPECT_EQ(settings.shadow_directory, (start() / "var/generations").string());
    EXPECT_TRUE(settings.required_plugins.empty());
    EXPECT_EQ(settings.admin_token, "");
    EXPECT_FALSE(settings.readyz_require_database);
    EXPECT_EQ(settings.database_connector, "sqlite");
    EXPECT_EQ(settings.mysql.port, 3306);
    EXPECT_EQ(settings.pool_size, defaultPoolSize());
    EXPECT_EQ(settings.acquire_timeout, 2s);
    EXPECT_EQ(settings.sqlite_path, (start() / "var/valhalla.db").string());
    EXPECT_EQ(settings.log_level, "info");
    EXPECT_EQ(settings.log_format, "text");
}

TEST_F(SettingsTest, PrecedenceAcrossAllLayers) {
    struct Layer {
        std::string name;
        std::function<void()> add;
        int expected_port;
    };

    const std::vector<Layer> layers = {
        {"configuration file",
         [&] { writeInStart("etc/valhalla.properties", "server.port = 5001\n"); },
         5001},
        {".env file", [&] { writeInStart(".env", "FLASK_PORT=5002\n"); }, 5002},
        {"environment", [&] { sources_.environment["FLASK_PORT"] = "5003"; }, 5003},
        {"--define", [&] { sources_.defines.emplace_back("server.port", "5004"); }, 5004},
    };
    EXPECT_EQ(loadSettings(sources_).port, 5000) << "built-in default";

    for (const Layer& layer : layers) {
        layer.add();

        Settings settings = loadSettings(sources_);

        EXPECT_EQ(settings.port, layer.expected_port) << "after adding the " << layer.name;
    }
}

TEST_F(SettingsTest, MapsEachEnvironmentVariable) {
    struct Row {
        std::map<std::string, std::string> environment;
        std::string variable;
        std::function<std::string(const Settings&)> actual;
        std::string expected;
    };

    const std::vector<Row> rows = {
        {{{"FLASK_HOST", "127.0.0.1"}}, "FLASK_HOST", [](auto& s) { return s.host; }, "127.0.0.1"},
        {{{"FLASK_PORT", "8080"}},
         "FLASK_PORT",
         [](auto& s) { return std::to_string(s.port); },
         "8080"},
        {{{"WORKERS", "4"}}, "WORKERS", [](auto& s) { return std::to_string(s.workers); }, "4"},
        {{{"SERVER_THREADS", "64"}},
         "SERVER_THREADS",
         [](auto& s) { return std::to_string(s.threads); },
         "64"},
        {{{"SERVER_QUEUE_LIMIT", "99"}},
         "SERVER_QUEUE_LIMIT",
         [](auto& s) { return std::to_string(s.queue_limit); },
         "99"},
        {{{"DRAIN_TIMEOUT", "3"}},
         "DRAIN_TIMEOUT",
         [](auto& s) { return std::to_string(s.drain_timeout.count()); },
         "3000"},
        {{{"SSL_CERT_PATH", "/tls/cert.pem"}, {"SSL_KEY_PATH", "/tls/key.pem"}},
         "SSL_CERT_PATH",
         [](auto& s) { return s.tls_certificate; },
         "/tls/cert.pem"},
        {{{"SSL_CERT_PATH", "/tls/cert.pem"}, {"SSL_KEY_PATH", "/tls/key.pem"}},
         "SSL_KEY_PATH",
         [](auto& s) { return s.tls_key; },
         "/tls/key.pem"},
        {{{"PLUGIN_DIR", "/opt/plugins"}},
         "PLUGIN_DIR",
         [](auto& s) { return s.plugin_directory; },
         "/opt/plugins"},
        {{{"PLUGINS_REQUIRED", "hello,items"}},
         "PLUGINS_REQUIRED",
         [](auto& s) { return s.required_plugins.at(0) + "+" + s.required_plugins.at(1); },
         "hello+items"},
        {{{"ADMIN_TOKEN", "secret-token"}},
         "ADMIN_TOKEN",
         [](auto& s) { return s.admin_token; },
         "secret-token"},
        {{{"DB_CONNECTOR", "sqlite"}, {"MYSQL_HOST", "db"}},
         "DB_CONNECTOR",
         [](auto& s) { return s.database_connector; },
         "sqlite"},
        {{{"MYSQL_HOST", "db"}, {"MYSQL_USER", "app"}, {"MYSQL_DATABASE", "shop"}},
         "MYSQL_HOST",
         [](auto& s) { return s.mysql.host; },
         "db"},
        {{{"MYSQL_PORT", "3307"}},
         "MYSQL_PORT",
         [](auto& s) { return std::to_string(s.mysql.port); },
         "3307"},
        {{{"MYSQL_USER", "app"}}, "MYSQL_USER", [](auto& s) { return s.mysql.user; }, "app"},
        {{{"MYSQL_PASSWORD", "pa ss=word"}},
         "MYSQL_PASSWORD",
         [](auto& s) { return s.mysql.password; },
         "pa ss=word"},
        {{{"MYSQL_DATABASE", "shop"}},
         "MYSQL_DATABASE",
         [](auto& s) { return s.mysql.database; },
         "shop"},
        {{{"MYSQL_POOL_SIZE", "12"}},
         "MYSQL_POOL_SIZE",
         [](auto& s) { return std::to_string(s.pool_size); },
         "12"},
        {{{"SQLITE_PATH", "/data/app.db"}},
         "SQLITE_PATH",
         [](auto& s) { return s.sqlite_path; },
         "/data/app.db"},
        {{{"LOG_LEVEL", "debug"}}, "LOG_LEVEL", [](auto& s) { return s.log_level; }, "debug"},
        {{{"LOG_FORMAT", "json"}}, "LOG_FORMAT", [](auto& s) { return s.log_format; }, "json"},
        {{{"LOG_FILE", "/var/log/valhalla.log"}},
         "LOG_FILE",
         [](auto& s) { return s.log_file; },
         "/var/log/valhalla.log"},
    };
    std::set<std::string> tested;

    for (const Row& row : rows) {
        sources_.environment = row.environment;

        Settings settings = loadSettings(sources_);

        EXPECT_EQ(row.actual(settings), row.expected) << row.variable;
        tested.insert(row.variable);
    }
    for (const SettingSpec& spec : settingTable()) {
        if (!spec.environment_variable.empty()) {
            EXPECT_TRUE(tested.contains(std::string(spec.environment_variable)))
                << "no test row for " << spec.environment_variable;
        }
    }
}

TEST_F(SettingsTest, IgnoresUnrelatedEnvironmentVariables) {
    sources_.environment = {{"PATH", "/usr/bin"}, {"server.port", "1"}};

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.port, 5000);
    EXPECT_FALSE(settings.merged->has("PATH"));
}

TEST_F(SettingsTest, EmptyEnvironmentVariableCountsAsUnset) {
    writeInStart("etc/valhalla.properties", "server.port = 5001\n");
    sources_.environment = {{"FLASK_PORT", ""}};

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.port, 5001);
}

TEST_F(SettingsTest, EnvFileMapsVariablesAndDottedKeys) {
    writeInStart(".env",
                 "FLASK_PORT=6000\n"
                 "server.workers=3\n"
                 "plugins.hello.message=\"hi there\"\n");

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.port, 6000);
    EXPECT_EQ(settings.workers, 3);
    EXPECT_EQ(settings.merged->getString("plugins.hello.message"), "hi there");
}

TEST_F(SettingsTest, EnvFileIgnoresUnknownNames) {
    writeInStart(".env", "COMPOSE_PROJECT_NAME=shop\nFLASK_DEBUG=1\n");

    Settings settings = loadSettings(sources_);

    EXPECT_FALSE(settings.merged->has("COMPOSE_PROJECT_NAME"));
    EXPECT_FALSE(settings.merged->has("FLASK_DEBUG"));
}

TEST_F(SettingsTest, EnvFileNeverOverridesEnvironment) {
    writeInStart(".env", "FLASK_PORT=6000\nserver.host=10.0.0.1\n");
    sources_.environment = {{"FLASK_PORT", "7000"}, {"FLASK_HOST", "127.0.0.1"}};

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.port, 7000);
    EXPECT_EQ(settings.host, "127.0.0.1");
}

TEST_F(SettingsTest, ReadsEnvFileFromGivenPath) {
    writeInStart("config/app.env", "WORKERS=5\n");
    sources_.env_file = "config/app.env";

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.workers, 5);
}

TEST_F(SettingsTest, MissingEnvFileIsFine) {
    sources_.env_file = "missing.env";

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.port, 5000);
}

TEST_F(SettingsTest, EnvFileSyntaxErrorNamesFileAndLine) {
    std::filesystem::path env_file = writeInStart(".env", "WORKERS=2\nFLASK_HOST='open\n");

    std::string message = loadError();

    EXPECT_TRUE(contains(message, env_file.string() + " line 2")) << message;
    EXPECT_TRUE(contains(message, "unterminated single quote")) << message;
}

TEST_F(SettingsTest, RejectsUnknownDottedKeyInEnvFile) {
    std::filesystem::path env_file = writeInStart(".env", "\nserver.prot=1\n");

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "unknown setting 'server.prot'")) << message;
    EXPECT_TRUE(contains(message, env_file.string() + " line 2")) << message;
}

TEST_F(SettingsTest, MissingExplicitConfigFileIsError) {
    sources_.config_file = "etc/missing.properties";

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "configuration file not found")) << message;
    EXPECT_TRUE(contains(message, (start() / "etc/missing.properties").string())) << message;
}

TEST_F(SettingsTest, ReadsExplicitConfigFileRelativeToStart) {
    writeInStart("conf/custom.properties", "server.workers = 7\n");
    sources_.config_file = "conf/custom.properties";

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.workers, 7);
}

TEST_F(SettingsTest, FindsConfigFileNextToExecutable) {
    writeInInstall("etc/valhalla.properties", "server.workers = 6\n");

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.workers, 6);
}

TEST_F(SettingsTest, PrefersConfigFileInStartDirectory) {
    writeInInstall("etc/valhalla.properties", "server.workers = 6\n");
    writeInStart("etc/valhalla.properties", "server.workers = 2\n");

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.workers, 2);
}

TEST_F(SettingsTest, ReadsIniConfigFile) {
    writeInStart("valhalla.ini", "[server]\nport = 5100\n[plugins.hello]\nmessage = ini\n");
    sources_.config_file = "valhalla.ini";

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.port, 5100);
    EXPECT_EQ(settings.merged->getString("plugins.hello.message"), "ini");
}

TEST_F(SettingsTest, ReadsXmlConfigFile) {
    writeInStart("valhalla.xml",
                 "<config><server><port>5200</port><tls><certificate>c.pem</certificate>"
                 "<key>k.pem</key></tls></server>"
                 "<plugins><hello><message>xml</message></hello></plugins></config>");
    sources_.config_file = "valhalla.xml";

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.port, 5200);
    EXPECT_EQ(settings.tls_certificate, (start() / "c.pem").string());
    EXPECT_EQ(settings.merged->getString("plugins.hello.message"), "xml");
}

TEST_F(SettingsTest, RejectsUnsupportedConfigFormat) {
    writeInStart("valhalla.json", "{}");
    sources_.config_file = "valhalla.json";

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "unsupported configuration file format")) << message;
}

TEST_F(SettingsTest, RejectsMalformedXmlConfigFile) {
    std::filesystem::path file = writeInStart("valhalla.xml", "<config><server>");
    sources_.config_file = "valhalla.xml";

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "cannot read configuration file " + file.string())) << message;
}

TEST_F(SettingsTest, RejectsUnknownKeyInConfigFile) {
    std::filesystem::path file = writeInStart("etc/valhalla.properties", "server.prot = 80\n");

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "unknown setting 'server.prot'")) << message;
    EXPECT_TRUE(contains(message, file.string())) << message;
    EXPECT_TRUE(contains(message, "Did you mean server.port?")) << message;
}

TEST_F(SettingsTest, RejectsUnknownKeyWithOwnValueAndSubkeys) {
    writeInStart("etc/valhalla.properties", "server.tls = on\nserver.tls.key = k.pem\n");

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "unknown setting 'server.tls'")) << message;
}

TEST_F(SettingsTest, RejectsUnknownKeyInDefine) {
    sources_.defines = {{"logging.levle", "debug"}};

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "unknown setting 'logging.levle'")) << message;
    EXPECT_TRUE(contains(message, "--define")) << message;
    EXPECT_TRUE(contains(message, "Did you mean logging.level?")) << message;
}

TEST_F(SettingsTest, RejectsUnknownSection) {
    sources_.defines = {{"servr.port", "80"}};

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "unknown setting 'servr.port'")) << message;
}

TEST_F(SettingsTest, RejectsKeyDirectlyUnderPlugins) {
    sources_.defines = {{"plugins.hello", "x"}};

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "unknown setting 'plugins.hello'")) << message;
}

TEST_F(SettingsTest, RejectsInvalidPluginSectionName) {
    sources_.defines = {{"plugins.Hello.message", "x"}};

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "invalid plugin name 'Hello'")) << message;
}

TEST_F(SettingsTest, MergedCarriesPluginKeysFromFileAndDefine) {
    writeInStart("etc/valhalla.properties",
                 "plugins.hello.message = from file\nplugins.hello.greeting = hey\n");
    sources_.defines = {{"plugins.hello.message", "from define"}, {"plugins.items.limit", "10"}};

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.merged->getString("plugins.hello.message"), "from define");
    EXPECT_EQ(settings.merged->getString("plugins.hello.greeting"), "hey");
    EXPECT_EQ(settings.merged->getInt("plugins.items.limit"), 10);
}

TEST_F(SettingsTest, MergedViewListsPluginSection) {
    writeInStart("etc/valhalla.properties", "plugins.hello.greeting = hey\n");
    sources_.defines = {{"plugins.hello.message", "hi"}};
    Settings settings = loadSettings(sources_);

    Poco::Util::AbstractConfiguration::Keys keys;
    settings.merged->createView("plugins.hello")->keys(keys);

    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, (Poco::Util::AbstractConfiguration::Keys{"greeting", "message"}));
}

TEST_F(SettingsTest, MergedCarriesHostDefaults) {
    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.merged->getString("server.port"), "5000");
    EXPECT_EQ(settings.merged->getString("database.connector"), "sqlite");
}

TEST_F(SettingsTest, ValidationErrorsNameKeyVariableAndValue) {
    struct Case {
        std::string key;
        std::string value;
        std::string expected_name;
        std::string expected_value;
        std::string expected_rule;
    };

    const std::vector<Case> cases = {
        {"server.port", "abc", "server.port (FLASK_PORT)", "'abc'", "from 1 to 65535"},
        {"server.port", "0", "server.port (FLASK_PORT)", "'0'", "from 1 to 65535"},
        {"server.port", "65536", "server.port (FLASK_PORT)", "'65536'", "from 1 to 65535"},
        {"server.port", "+80", "server.port (FLASK_PORT)", "'+80'", "from 1 to 65535"},
        {"server.workers", "0", "server.workers (WORKERS)", "'0'", "from 1 to 256"},
        {"server.workers", "257", "server.workers (WORKERS)", "'257'", "from 1 to 256"},
        {"server.threads", "4097", "server.threads (SERVER_THREADS)", "'4097'", "from 1 to 4096"},
        {"server.queue_limit",
         "1000001",
         "server.queue_limit (SERVER_QUEUE_LIMIT)",
         "'1000001'",
         "from 1 to 1000000"},
        {"database.pool.size", "0", "database.pool.size (MYSQL_POOL_SIZE)", "'0'", "1 to 10000"},
        {"database.pool.size",
         "10001",
         "database.pool.size (MYSQL_POOL_SIZE)",
         "'10001'",
         "1 to 10000"},
        {"database.mysql.port", "0", "database.mysql.port (MYSQL_PORT)", "'0'", "1 to 65535"},
        {"server.host", "", "server.host (FLASK_HOST)", "''", "expected a host"},
        {"server.queue_timeout", "abc", "server.queue_timeout", "'abc'", "a duration"},
        {"server.queue_timeout", "0", "server.queue_timeout", "'0'", "a duration"},
        {"server.head_timeout", "-1", "server.head_timeout", "'-1'", "a duration"},
        {"server.keepalive_timeout", "5h", "server.keepalive_timeout", "'5h'", "a duration"},
        {"server.handler_timeout", "1441m", "server.handler_timeout", "'1441m'", "to 24 h"},
        {"server.drain_timeout", "0s", "server.drain_timeout (DRAIN_TIMEOUT)", "'0s'", "duration"},
        {"database.pool.acquire_timeout",
         "2x",
         "database.pool.acquire_timeout",
         "'2x'",
         "a duration"},
        {"server.max_body_size", "0", "server.max_body_size", "'0'", "a size greater than 0"},
        {"server.max_body_size", "10X", "server.max_body_size", "'10X'", "a size"},
        {"readyz.require_database", "maybe", "readyz.require_database", "'maybe'", "true, false"},
        {"database.connector",
         "postgres",
         "database.connector (DB_CONNECTOR)",
         "'postgres'",
         "expected mysql or sqlite"},
        {"logging.level",
         "verbose",
         "logging.level (LOG_LEVEL)",
         "'verbose'",
         "expected trace, debug, info, warn, error, critical or off"},
        {"logging.format", "xml", "logging.format (LOG_FORMAT)", "'xml'", "expected text or json"},
        {"plugins.required",
         "hello, Bad_Name",
         "plugins.required (PLUGINS_REQUIRED)",
         "'Bad_Name'",
         "plugin names"},
        {"server.trusted_proxies",
         "10.0.0.1, proxy.local",
         "server.trusted_proxies",
         "'proxy.local'",
         "IPv4 or IPv6 addresses"},
        {"database.mysql.host", "db;x", "database.mysql.host (MYSQL_HOST)", "'db;x'", "';'"},
        {"database.mysql.user", " app", "database.mysql.user (MYSQL_USER)", "' app'", "whitespace"},
        {"plugins.directory", "", "plugins.directory (PLUGIN_DIR)", "''", "expected a path"},
        {"database.sqlite.path", " ", "database.sqlite.path (SQLITE_PATH)", "' '", "a path"},
    };

    for (const Case& test_case : cases) {
        sources_.defines = {{test_case.key, test_case.value}};

        std::string message = loadError();

        std::string context = test_case.key + "=" + test_case.value + "\nmessage: " + message;
        EXPECT_TRUE(contains(message, "invalid value " + test_case.expected_value)) << context;
        EXPECT_TRUE(contains(message, " for " + test_case.expected_name + ": ")) << context;
        EXPECT_TRUE(contains(message, test_case.expected_rule)) << context;
        EXPECT_TRUE(contains(message, "The value comes from --define.")) << context;
    }
}

TEST_F(SettingsTest, ErrorNamesEnvironmentAsSource) {
    sources_.environment = {{"FLASK_PORT", "abc"}};

    std::string message = loadError();

    EXPECT_EQ(message,
              "invalid value 'abc' for server.port (FLASK_PORT): expected an integer from 1 to "
              "65535. The value comes from the environment.");
}

TEST_F(SettingsTest, ErrorNamesEnvFileAsSource) {
    std::filesystem::path env_file = writeInStart(".env", "WORKERS=many\n");

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "The value comes from " + env_file.string())) << message;
}

TEST_F(SettingsTest, MasksSecretInErrorMessage) {
    sources_.environment = {{"MYSQL_PASSWORD", "top;secret"}};

    std::string message = loadError();

    EXPECT_FALSE(contains(message, "top;secret")) << message;
    EXPECT_TRUE(contains(message, "invalid value '***' for database.mysql.password")) << message;
}

TEST_F(SettingsTest, RejectsMysqlWithoutUser) {
    sources_.environment = {{"MYSQL_HOST", "db"}, {"MYSQL_DATABASE", "shop"}};

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "database.mysql.user (MYSQL_USER) is empty")) << message;
    EXPECT_TRUE(contains(message, "set MYSQL_USER or database.mysql.user")) << message;
}

TEST_F(SettingsTest, RejectsMysqlWithoutHost) {
    sources_.environment = {
        {"DB_CONNECTOR", "mysql"}, {"MYSQL_USER", "app"}, {"MYSQL_DATABASE", "shop"}};

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "database.mysql.host (MYSQL_HOST) is empty")) << message;
}

TEST_F(SettingsTest, RejectsMysqlWithoutDatabase) {
    sources_.environment = {{"MYSQL_HOST", "db"}, {"MYSQL_USER", "app"}};

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "database.mysql.database (MYSQL_DATABASE) is empty")) << message;
}

TEST_F(SettingsTest, DefaultsConnectorToMysqlWhenHostSet) {
    sources_.environment = {{"MYSQL_HOST", "db"}, {"MYSQL_USER", "app"}, {"MYSQL_DATABASE", "s"}};

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.database_connector, "mysql");
}

TEST_F(SettingsTest, ExplicitSqliteNeedsNoMysqlUser) {
    sources_.environment = {{"MYSQL_HOST", "db"}, {"DB_CONNECTOR", "SQLite"}};

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.database_connector, "sqlite");
}

TEST_F(SettingsTest, RejectsCertificateWithoutKey) {
    sources_.environment = {{"SSL_CERT_PATH", "/tls/cert.pem"}};

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "server.tls.key (SSL_KEY_PATH) is missing")) << message;
}

TEST_F(SettingsTest, RejectsKeyWithoutCertificate) {
    sources_.environment = {{"SSL_KEY_PATH", "/tls/key.pem"}};

    std::string message = loadError();

    EXPECT_TRUE(contains(message, "server.tls.certificate (SSL_CERT_PATH) is missing")) << message;
}

TEST_F(SettingsTest, AcceptsTlsFilesThatDoNotExistYet) {
    sources_.environment = {{"SSL_CERT_PATH", "/no/cert.pem"}, {"SSL_KEY_PATH", "/no/key.pem"}};

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.tls_certificate, "/no/cert.pem");
    EXPECT_EQ(settings.tls_key, "/no/key.pem");
}

TEST_F(SettingsTest, MakesRelativePathsAbsolute) {
    sources_.defines = {{"plugins.directory", "my-plugins"},
                        {"plugins.shadow_directory", "./run/../gen"},
                        {"database.sqlite.path", "data/app.db"},
                        {"server.tls.certificate", "tls/cert.pem"},
                        {"server.tls.key", "tls/key.pem"}};

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.plugin_directory, (start() / "my-plugins").string());
    EXPECT_EQ(settings.shadow_directory, (start() / "gen").string());
    EXPECT_EQ(settings.sqlite_path, (start() / "data/app.db").string());
    EXPECT_EQ(settings.tls_certificate, (start() / "tls/cert.pem").string());
    EXPECT_EQ(settings.tls_key, (start() / "tls/key.pem").string());
}

TEST_F(SettingsTest, ParsesTypedValues) {
    sources_.defines = {{"server.queue_timeout", "2.5"},
                        {"server.head_timeout", "500ms"},
                        {"server.handler_timeout", "1m"},
                        {"server.max_body_size", "1K"},
                        {"server.trusted_proxies", " 10.0.0.1 , ::1 ,"},
                        {"plugins.required", "hello, items, hello"},
                        {"readyz.require_database", "yes"},
                        {"logging.level", "WARN"}};

    Settings settings = loadSettings(sources_);

    EXPECT_EQ(settings.queue_timeout, 2500ms);
    EXPECT_EQ(settings.head_timeout, 500ms);
    EXPECT_EQ(settings.handler_timeout, 60s);
    EXPECT_EQ(settings.max_body_size, 1024U);
    EXPECT_EQ(settings.trusted_proxies, (std::vector<std::string>{"10.0.0.1", "::1"}));
    EXPECT_EQ(settings.required_plugins, (std::vector<std::string>{"hello", "items"}));
    EXPECT_TRUE(settings.readyz_require_database);
    EXPECT_EQ(settings.log_level, "warn");
}

TEST(SettingsDuration, ParsesValidDurations) {
    const std::vector<std::pair<std::string, std::chrono::milliseconds>> cases = {
        {"5", 5s},
        {"2.5", 2500ms},
        {"0.001", 1ms},
        {"500ms", 500ms},
        {"5s", 5s},
        {"1.5m", 90s},
        {"2M", 120s},
        {" 7s ", 7s},
        {"86400", 24h},
    };

    for (const auto& [text, expected] : cases) {
        auto parsed = parseDuration(text);

        ASSERT_TRUE(parsed.has_value()) << text;
        EXPECT_EQ(*parsed, expected) << text;
    }
}

TEST(SettingsDuration, RejectsInvalidDurations) {
    const std::vector<std::string> cases = {
        "",
        "abc",
        "0",
        "0ms",
        "0.0001",
        "-1",
        "+5",
        "5h",
        "5 s",
        "1e3",
        "inf",
        "nan",
        ".",
        "86401",
    };

    for (const std::string& text : cases) {
        auto parsed = parseDuration(text);

        EXPECT_FALSE(parsed.has_value()) << text;
    }
}

TEST(SettingsSize, ParsesValidSizes) {
    const std::vector<std::pair<std::string, std::size_t>> cases = {
        {"1", 1},
        {"1048576", 1048576},
        {"1KiB", 1024},
        {"1K", 1024},
        {"1.5k", 1536},
        {"8MiB", 8 * 1024 * 1024},
        {"8M", 8 * 1024 * 1024},
        {"2GiB", std::size_t{2} << 30},
        {"1g", std::size_t{1} << 30},
        {" 4mib ", 4 * 1024 * 1024},
    };

    for (const auto& [text, expected] : cases) {
        auto parsed = parseSize(text);

        ASSERT_TRUE(parsed.has_value()) << text;
        EXPECT_EQ(*parsed, expected) << text;
    }
}

TEST(SettingsSize, RejectsInvalidSizes) {
    const std::vector<std::string> cases = {
        "",
        "0",
        "0KiB",
        "-1",
        "1.5",
        "10X",
        "1TiB",
        "1 MiB",
        "MiB",
        "1e3",
        "99999999999GiB",
    };

    for (const std::string& text : cases) {
        auto parsed = parseSize(text);

        EXPECT_FALSE(parsed.has_value()) << text;
    }
}

TEST(SettingsBool, ParsesEveryForm) {
    const std::vector<std::pair<std::string, bool>> cases = {
        {"true", true},
        {"TRUE", true},
        {"yes", true},
        {"on", true},
        {"1", true},
        {"false", false},
        {"no", false},
        {"Off", false},
        {"0", false},
    };

    for (const auto& [text, expected] : cases) {
        auto parsed = parseBool(text);

        ASSERT_TRUE(parsed.has_value()) << text;
        EXPECT_EQ(*parsed, expected) << text;
    }
}

TEST(SettingsBool, RejectsOtherText) {
    auto parsed = parseBool("maybe");

    EXPECT_FALSE(parsed.has_value());
}

TEST(SettingsFormat, FormatsDurationsAndSizes) {
    EXPECT_EQ(formatDuration(2500ms), "2500ms");
    EXPECT_EQ(formatDuration(5s), "5s");
    EXPECT_EQ(formatDuration(120s), "2m");
    EXPECT_EQ(formatSize(8 * 1024 * 1024), "8MiB");
    EXPECT_EQ(formatSize(1536), "1536");
    EXPECT_EQ(formatSize(std::size_t{3} << 30), "3GiB");
}

TEST(SettingsPoolSize, DefaultIsAtLeastFive) {
    std::size_t pool_size = defaultPoolSize();

    EXPECT_GE(pool_size, kPoolSessionsPerCore);
}

TEST(SettingsCpuLimit, ParsesCgroupFiles) {
    EXPECT_EQ(parseCgroupV2CpuMax("150000 100000\n"), 1.5);
    EXPECT_EQ(parseCgroupV2CpuMax("max 100000\n"), std::nullopt);
    EXPECT_EQ(parseCgroupV2CpuMax("garbage"), std::nullopt);
    EXPECT_EQ(parseCgroupV1CpuQuota("200000\n", "100000\n"), 2.0);
    EXPECT_EQ(parseCgroupV1CpuQuota("-1\n", "100000\n"), std::nullopt);
}

TEST(SettingsCpuLimit, CountsCoresFromCgroups) {
    struct Case {
        std::string name;
        std::vector<std::pair<std::string, std::string>> files;
        std::string self_cgroup;
        unsigned hardware_threads;
        unsigned expected;
    };

    const std::vector<Case> cases = {
        {"no cgroup files", {}, "0::/\n", 8, 8},
        {"v2 fraction rounds up", {{"cpu.max", "150000 100000\n"}}, "0::/\n", 8, 2},
        {"v2 without limit", {{"cpu.max", "max 100000\n"}}, "0::/\n", 8, 8},
        {"v2 small quota", {{"cpu.max", "20000 100000\n"}}, "0::/\n", 8, 1},
        {"v2 quota above hardware", {{"cpu.max", "1600000 100000\n"}}, "0::/\n", 4, 4},
        {"v2 nested cgroup takes smallest",
         {{"system.slice/cpu.max", "400000 100000\n"},
          {"system.slice/app.service/cpu.max", "100000 100000\n"}},
         "0::/system.slice/app.service\n",
         8,
         1},
        {"v1 cpu,cpuacct",
         {{"cpu,cpuacct/cpu.cfs_quota_us", "200000\n"},
          {"cpu,cpuacct/cpu.cfs_period_us", "100000\n"}},
         "2:cpu,cpuacct:/\n",
         8,
         2},
        {"v1 without limit",
         {{"cpu/cpu.cfs_quota_us", "-1\n"}, {"cpu/cpu.cfs_period_us", "100000\n"}},
         "1:cpu:/\n",
         8,
         8},
        {"unknown hardware", {}, "0::/\n", 0, 1},
    };

    for (const Case& test_case : cases) {
        TempDirectory root;
        for (const auto& [relative, text] : test_case.files) {
            root.write(relative, text);
        }

        unsigned cores =
            countAvailableCpuCores(root.path(), test_case.self_cgroup, test_case.hardware_threads);

        EXPECT_EQ(cores, test_case.expected) << test_case.name;
    }
}

TEST_F(SettingsTest, DescribeMasksSecrets) {
    sources_.environment = {{"ADMIN_TOKEN", "admin-secret"}, {"MYSQL_PASSWORD", "db-secret"}};
    Settings settings = loadSettings(sources_);

    std::vector<std::string> lines = describeSettings(settings);

    EXPECT_NE(std::find(lines.begin(), lines.end(), "admin.token=***"), lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "database.mysql.password=***"), lines.end());
    for (const std::string& line : lines) {
        EXPECT_FALSE(contains(line, "secret")) << line;
    }
}

TEST_F(SettingsTest, DescribeShowsUnsetSecretAsEmpty) {
    Settings settings = loadSettings(sources_);

    std::vector<std::string> lines = describeSettings(settings);

    EXPECT_NE(std::find(lines.begin(), lines.end(), "admin.token="), lines.end());
}

TEST_F(SettingsTest, DescribeListsEveryKeyInTableOrder) {
    Settings settings = loadSettings(sources_);

    std::vector<std::string> lines = describeSettings(settings);

    ASSERT_EQ(lines.size(), settingTable().size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        EXPECT_TRUE(lines[i].starts_with(std::string(settingTable()[i].key) + "=")) << lines[i];
    }
}

TEST_F(SettingsTest, DescribeFormatsTypedValues) {
    Settings settings = loadSettings(sources_);

    std::vector<std::string> lines = describeSettings(settings);

    for (std::string_view expected : {"server.port=5000",
                                      "server.queue_timeout=5s",
                                      "server.max_body_size=8MiB",
                                      "readyz.require_database=false",
                                      "database.connector=sqlite",
                                      "logging.level=info"}) {
        EXPECT_NE(std::find(lines.begin(), lines.end(), expected), lines.end()) << expected;
    }
}

TEST_F(SettingsTest, DescribeShowsEveryValue) {
    sources_.environment = {{"SSL_CERT_PATH", "/c.pem"},
                            {"SSL_KEY_PATH", "/k.pem"},
                            {"PLUGINS_REQUIRED", "hello"},
                            {"ADMIN_TOKEN", "t"},
                            {"MYSQL_HOST", "db"},
                            {"MYSQL_USER", "app"},
                            {"MYSQL_PASSWORD", "p"},
                            {"MYSQL_DATABASE", "shop"},
                            {"LOG_FILE", "/var/log/valhalla.log"}};
    sources_.defines = {{"server.trusted_proxies", "10.0.0.1"}};
    Settings settings = loadSettings(sources_);

    std::vector<std::string> lines = describeSettings(settings);

    for (const std::string& line : lines) {
        EXPECT_FALSE(line.ends_with("=")) << line;
    }
}

TEST(SettingsHelp, ListsEveryKeyAndVariable) {
    std::string help = settingsHelp();

    for (const SettingSpec& spec : settingTable()) {
        EXPECT_TRUE(contains(help, std::string(spec.key))) << spec.key;
        EXPECT_TRUE(contains(help, std::string(spec.environment_variable))) << spec.key;
        EXPECT_TRUE(contains(help, std::string(spec.help))) << spec.key;
    }
}

TEST(SettingsHelp, AlignsColumns) {
    std::string help = settingsHelp();
    std::size_t port_row = help.find("\nserver.port ");
    std::size_t format_row = help.find("\nlogging.format ");

    ASSERT_NE(port_row, std::string::npos);
    ASSERT_NE(format_row, std::string::npos);
    EXPECT_EQ(help.find("FLASK_PORT", port_row) - port_row,
              help.find("LOG_FORMAT", format_row) - format_row);
    EXPECT_EQ(help.find("5000", port_row) - port_row, help.find("text", format_row) - format_row);
}

TEST(SettingsTable, KeysAndVariablesAreUnique) {
    std::set<std::string_view> keys;
    std::set<std::string_view> variables;

    for (const SettingSpec& spec : settingTable()) {
        EXPECT_TRUE(keys.insert(spec.key).second) << spec.key;
        if (!spec.environment_variable.empty()) {
            EXPECT_TRUE(variables.insert(spec.environment_variable).second) << spec.key;
        }
    }
}

}  // namespace valhalla::host::config
