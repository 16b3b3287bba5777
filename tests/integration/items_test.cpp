#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/mariadb_server.hpp"
#include "support/server_process.hpp"

namespace valhalla::test {
namespace {

const char* const kRunScriptHint =
    "MariaDB for the MySQL variant is not configured: run the integration tests through "
    "tests/run.sh, which starts a private MariaDB and sets VALHALLA_TEST_MYSQL_*";

enum class Backend { Sqlite, MariaDb };

std::string backendName(const testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::Sqlite ? "Sqlite" : "MariaDb";
}

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

/// Runs a command with extra environment variables and returns its standard output.
/// Fails the current test when it exits with a non-zero status.
std::string runCommand(const std::string& command,
                       const std::vector<std::string>& arguments,
                       const std::map<std::string, std::string>& environment = {}) {
    Poco::Pipe output_pipe;
    Poco::Pipe error_pipe;
    Poco::Process::Env env(environment.begin(), environment.end());
    Poco::ProcessHandle process =
        Poco::Process::launch(command, arguments, "", nullptr, &output_pipe, &error_pipe, env);
    Poco::PipeInputStream output_stream(output_pipe);
    Poco::PipeInputStream error_stream(error_pipe);
    std::string output;
    std::string errors;
    Poco::StreamCopier::copyToString(output_stream, output);
    Poco::StreamCopier::copyToString(error_stream, errors);
    int status = process.wait();
    EXPECT_EQ(status, 0) << command << " failed: " << errors;
    return output;
}

/// The database behind one test server, and a way to read it without the server.
class TestDatabase {
public:
    /// Prepares an empty database for `backend`. Fails the test when MariaDB is needed
    /// but not configured.
    void prepare(Backend backend, const std::string& sqlite_path) {
        backend_ = backend;
        sqlite_path_ = sqlite_path;
        if (backend == Backend::MariaDb) {
            mariadb_ = SharedMariaDb::fromEnvironment();
            ASSERT_TRUE(mariadb_.available()) << kRunScriptHint;
            database_ = mariadb_.createDatabase();
        }
    }

    /// Settings that point the server at this database.
    std::map<std::string, std::string> serverEnvironment() const {
        if (backend_ == Backend::Sqlite) {
            return {{"DB_CONNECTOR", "sqlite"}, {"SQLITE_PATH", sqlite_path_}};
        }
        auto environment = mariadb_.serverEnvironment(database_);
        environment["DB_CONNECTOR"] = "mysql";
        return environment;
    }

    /// Runs one query with the command-line client of the backend and returns its
    /// tab-separated rows without a header.
    std::string query(const std::string& sql) const {
        if (backend_ == Backend::Sqlite) {
            return runCommand("sqlite3", {"-batch", "-separator", "\t", sqlite_path_, sql});
        }
        return runCommand("mariadb",
                          {"--no-defaults",
                           "--batch",
                           "--skip-column-names",
                           "--default-character-set=utf8mb4",
                           "--host=" + mariadb_.host,
                           "--port=" + std::to_string(mariadb_.port),
                           "--user=" + mariadb_.user,
                           "--database=" + database_,
                           "--execute=" + sql},
                          {{"MYSQL_PWD", mariadb_.password}});
    }

    Backend backend() const { return backend_; }

    const std::string& mariadbDatabase() const { return database_; }

private:
    Backend backend_ = Backend::Sqlite;
    std::string sqlite_path_;
    SharedMariaDb mariadb_;
    std::string database_;
};

class ItemsTest : public testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        std::string folder = makeTemporaryDirectory();
        database_.prepare(GetParam(), Poco::Path(folder).append("items.db").toString());
        if (HasFatalFailure()) {
            return;
        }
        ServerOptions options;
        options.working_directory = folder;
        options.environment = database_.serverEnvironment();
        options.environment["PLUGINS_REQUIRED"] = "items";
        server_ = ServerProcess::start(options);
    }

    HttpResponse send(const std::string& method,
                      const std::string& path,
                      const std::string& json = "") {
        if (json.empty()) {
            return httpRequest(server_->port(), method, path);
        }
        return httpJson(server_->port(), method, path, json);
    }

    /// Creates an item and returns its JSON. Fails the test unless the status is 201.
    Poco::JSON::Object::Ptr createItem(const std::string& json) {
        HttpResponse response = send("POST", "/api/v1/items", json);
        EXPECT_EQ(response.status, 201) << response.body;
        return parseObject(response.body);
    }

    static std::string itemPath(const Poco::JSON::Object::Ptr& item) {
        return "/api/v1/items/" + item->getValue<std::string>("id");
    }

    TestDatabase database_;
    std::unique_ptr<ServerProcess> server_;
};

/// Checks the problem+json members every error response carries.
void expectProblem(const HttpResponse& response, int status) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
    Poco::JSON::Object::Ptr problem = parseObject(response.body);
    EXPECT_EQ(problem->getValue<std::string>("type"), "about:blank");
    EXPECT_FALSE(problem->getValue<std::string>("title").empty());
    EXPECT_EQ(problem->getValue<int>("status"), status);
    EXPECT_FALSE(problem->getValue<std::string>("detail").empty());
    EXPECT_FALSE(problem->getValue<std::string>("request_id").empty());
    EXPECT_EQ(problem->getValue<std::string>("request_id"), response.header("X-Request-Id"));
}

/// Returns the fields named in the `errors` member of a 422 problem, in order.
std::vector<std::string> invalidFields(const HttpResponse& response) {
    std::vector<std::string> fields;
    Poco::JSON::Array::Ptr errors = parseObject(response.body)->getArray("errors");
    if (!errors) {
        return fields;
    }
    for (std::size_t i = 0; i < errors->size(); ++i) {
        Poco::JSON::Object::Ptr error = errors->getObject(static_cast<unsigned>(i));
        EXPECT_FALSE(error->getValue<std::string>("message").empty());
        fields.push_back(error->getValue<std::string>("field"));
    }
    return fields;
}

bool isIsoTimestamp(const std::string& text) {
    static const std::regex pattern(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)");
    return std::regex_match(text, pattern);
}

TEST_P(ItemsTest, CreateThenReadRoundTrip) {
    std::string name = "Bifröst 🌈 bridge";

    HttpResponse created = send("POST",
                                "/api/v1/items",
                                R"({"name":"Bifröst 🌈 bridge","price":"12.50",)"
                                R"("description":"Rainbow bridge"})");
    Poco::JSON::Object::Ptr item = parseObject(created.body);
    HttpResponse read = send("GET", itemPath(item));

    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.header("Location"), itemPath(item));
    EXPECT_EQ(created.header("Content-Type"), "application/json");
    EXPECT_GE(item->getValue<Poco::Int64>("id"), 1);
    EXPECT_EQ(item->getValue<std::string>("name"), name);
    EXPECT_EQ(item->getValue<std::string>("price"), "12.50");
    EXPECT_EQ(item->getValue<std::string>("description"), "Rainbow bridge");
    EXPECT_TRUE(isIsoTimestamp(item->getValue<std::string>("created_at"))) << created.body;
    EXPECT_EQ(item->getValue<std::string>("updated_at"), item->getValue<std::string>("created_at"));
    EXPECT_EQ(read.status, 200);
    EXPECT_EQ(read.body, created.body);
}

TEST_P(ItemsTest, ResponseKeepsFieldOrder) {
    HttpResponse created = send("POST", "/api/v1/items", R"({"price":"1.00","name":"Order"})");

    std::regex order(R"(^\{"id":\d+,"name":"Order","price":"1.00","description":null,)"
                     R"("created_at":"[^"]+","updated_at":"[^"]+"\}$)");

    EXPECT_TRUE(std::regex_match(created.body, order)) << created.body;
}

TEST_P(ItemsTest, CreatedRowIsInDatabase) {
    Poco::JSON::Object::Ptr item = createItem(R"({"name":"Bifröst 😀","price":"12.50"})");
    std::string id = item->getValue<std::string>("id");

    std::string row =
        database_.query("SELECT name, price, description IS NULL FROM items WHERE id = " + id);

    std::string price = database_.backend() == Backend::Sqlite ? "1250" : "12.50";
    EXPECT_EQ(row, "Bifröst 😀\t" + price + "\t1\n");
}

TEST_P(ItemsTest, TableHasExpectedColumnTypes) {
    createItem(R"({"name":"Types","price":"1.00"})");

    std::string types = database_.backend() == Backend::Sqlite
                            ? database_.query("SELECT typeof(name), typeof(price) FROM items")
                            : database_.query(
                                  "SELECT COLUMN_NAME, COLUMN_TYPE, COALESCE(CHARACTER_SET_NAME, "
                                  "'-') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" +
                                  database_.mariadbDatabase() +
                                  "' AND TABLE_NAME = 'items' AND COLUMN_NAME IN ('name', "
                                  "'price') ORDER BY COLUMN_NAME");

    std::string expected = database_.backend() == Backend::Sqlite
                               ? "text\tinteger\n"
                               : "name\tvarchar(200)\tutf8mb4\nprice\tdecimal(10,2)\t-\n";
    EXPECT_EQ(types, expected);
}

TEST_P(ItemsTest, PricesKeepExactDecimals) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"("12.50")", "12.50"},
        {R"("0.10")", "0.10"},
        {R"("99999999.99")", "99999999.99"},
        {R"("7")", "7.00"},
        {R"("3.5")", "3.50"},
        {"12.5", "12.50"},
        {"0.1", "0.10"},
        {"0", "0.00"},
        {"42", "42.00"},
    };

    for (const auto& [sent, expected] : cases) {
        HttpResponse created =
            send("POST", "/api/v1/items", R"({"name":"Price","price":)" + sent + "}");
        Poco::JSON::Object::Ptr item = parseObject(created.body);
        HttpResponse read = send("GET", itemPath(item));

        EXPECT_EQ(created.status, 201) << "price " << sent << ": " << created.body;
        EXPECT_EQ(item->getValue<std::string>("price"), expected) << "price " << sent;
        EXPECT_EQ(parseObject(read.body)->getValue<std::string>("price"), expected)
            << "price " << sent;
    }
}

TEST_P(ItemsTest, InvalidPricesAreRejected) {
    const std::vector<std::string> cases = {R"("-1.00")",
                                            R"("100000000.00")",
                                            R"("12.345")",
                                            R"("12.")",
                                            R"(".5")",
                                            R"("1e3")",
                                            R"(" 12.50")",
                                            R"("abc")",
                                            R"("")",
                                            "12.345",
                                            "-1",
                                            "100000000",
                                            "true",
                                            "null",
                                            "[]"};

    for (const std::string& sent : cases) {
        HttpResponse response =
            send("POST", "/api/v1/items", R"({"name":"Price","price":)" + sent + "}");

        EXPECT_EQ(response.status, 422) << "price " << sent << ": " << response.body;
        EXPECT_EQ(invalidFields(response), std::vector<std::string>{"price"}) << "price " << sent;
    }
}

TEST_P(ItemsTest, NullDescriptionRoundTrips) {
    Poco::JSON::Object::Ptr absent = createItem(R"({"name":"No description","price":"1.00"})");
    Poco::JSON::Object::Ptr explicit_null =
        createItem(R"({"name":"Null description","price":"1.00","description":null})");
    Poco::JSON::Object::Ptr empty =
        createItem(R"({"name":"Empty description","price":"1.00","description":""})");

    HttpResponse read_absent = send("GET", itemPath(absent));
    HttpResponse read_null = send("GET", itemPath(explicit_null));
    HttpResponse read_empty = send("GET", itemPath(empty));

    EXPECT_TRUE(parseObject(read_absent.body)->isNull("description")) << read_absent.body;
    EXPECT_TRUE(parseObject(read_null.body)->isNull("description")) << read_null.body;
    EXPECT_EQ(parseObject(read_empty.body)->getValue<std::string>("description"), "");
}

TEST_P(ItemsTest, LengthsCountCodePoints) {
    std::string emoji_name;
    for (int i = 0; i < 200; ++i) {
        emoji_name += "😀";
    }
    std::string long_name = emoji_name + "a";
    std::string long_description(10001, 'd');

    HttpResponse accepted =
        send("POST", "/api/v1/items", R"({"name":")" + emoji_name + R"(","price":"1.00"})");
    HttpResponse name_rejected =
        send("POST", "/api/v1/items", R"({"name":")" + long_name + R"(","price":"1.00"})");
    HttpResponse description_rejected =
        send("POST",
             "/api/v1/items",
             R"({"name":"Long","price":"1.00","description":")" + long_description + R"("})");

    EXPECT_EQ(accepted.status, 201) << accepted.body;
    EXPECT_EQ(parseObject(accepted.body)->getValue<std::string>("name"), emoji_name);
    EXPECT_EQ(name_rejected.status, 422);
    EXPECT_EQ(invalidFields(name_rejected), std::vector<std::string>{"name"});
    EXPECT_EQ(description_rejected.status, 422);
    EXPECT_EQ(invalidFields(description_rejected), std::vector<std::string>{"description"});
}

TEST_P(ItemsTest, LongestDescriptionRoundTrips) {
    std::string description;
    for (int i = 0; i < 10000; ++i) {
        description += "😀";
    }
    Poco::JSON::Object::Ptr item =
        createItem(R"({"name":"Longest","price":"1.00","description":")" + description + R"("})");

    HttpResponse read = send("GET", itemPath(item));
    HttpResponse list = send("GET", "/api/v1/items?limit=100");

    EXPECT_EQ(parseObject(read.body)->getValue<std::string>("description"), description);
    Poco::JSON::Array::Ptr items = parseObject(list.body)->getArray("items");
    ASSERT_TRUE(items) << list.body;
    EXPECT_EQ(items->getObject(0)->getValue<std::string>("description"), description);
}

// Another program may store a description longer than the API accepts; reads return it
// whole rather than cut at the API's limit.
TEST_P(ItemsTest, LongerStoredDescriptionIsReadWhole) {
    Poco::JSON::Object::Ptr item = createItem(R"({"name":"Imported","price":"1.00"})");
    std::string id = item->getValue<std::string>("id");
    std::string text =
        database_.backend() == Backend::Sqlite ? "hex(zeroblob(6000))" : "REPEAT('0', 12000)";
    database_.query("UPDATE items SET description = " + text + " WHERE id = " + id);

    HttpResponse read = send("GET", itemPath(item));
    HttpResponse list = send("GET", "/api/v1/items?limit=100");

    EXPECT_EQ(parseObject(read.body)->getValue<std::string>("description"),
              std::string(12000, '0'));
    Poco::JSON::Array::Ptr items = parseObject(list.body)->getArray("items");
    ASSERT_TRUE(items) << list.body;
    EXPECT_EQ(items->getObject(0)->getValue<std::string>("description"), std::string(12000, '0'));
}

TEST_P(ItemsTest, ListReturnsPagingEnvelope) {
    std::vector<Poco::Int64> ids;
    for (const char* name : {"First", "Second", "Third"}) {
        std::string json = std::string(R"({"price":"1.00","name":")") + name + R"("})";
        ids.push_back(createItem(json)->getValue<Poco::Int64>("id"));
    }

    HttpResponse page = send("GET", "/api/v1/items?limit=2&offset=1");
    HttpResponse defaults = send("GET", "/api/v1/items");

    ASSERT_EQ(page.status, 200) << page.body;
    Poco::JSON::Object::Ptr body = parseObject(page.body);
    Poco::JSON::Array::Ptr items = body->getArray("items");
    ASSERT_EQ(items->size(), 2u);
    EXPECT_EQ(items->getObject(0)->getValue<Poco::Int64>("id"), ids[1]);
    EXPECT_EQ(items->getObject(1)->getValue<Poco::Int64>("id"), ids[2]);
    EXPECT_EQ(items->getObject(1)->getValue<std::string>("name"), "Third");
    EXPECT_EQ(body->getValue<int>("total"), 3);
    EXPECT_EQ(body->getValue<int>("limit"), 2);
    EXPECT_EQ(body->getValue<int>("offset"), 1);
    ASSERT_EQ(defaults.status, 200) << defaults.body;
    EXPECT_EQ(parseObject(defaults.body)->getArray("items")->size(), 3u);
    EXPECT_EQ(parseObject(defaults.body)->getValue<int>("limit"), 20);
    EXPECT_EQ(parseObject(defaults.body)->getValue<int>("offset"), 0);
}

TEST_P(ItemsTest, ListAcceptsBoundaryValues) {
    createItem(R"({"name":"Only","price":"1.00"})");

    HttpResponse largest = send("GET", "/api/v1/items?limit=100");
    HttpResponse smallest = send("GET", "/api/v1/items?limit=1&offset=0");
    HttpResponse past_end = send("GET", "/api/v1/items?offset=5");
    HttpResponse largest_offset = send("GET", "/api/v1/items?offset=9223372036854775807");

    EXPECT_EQ(largest.status, 200) << largest.body;
    EXPECT_EQ(smallest.status, 200) << smallest.body;
    EXPECT_EQ(parseObject(smallest.body)->getArray("items")->size(), 1u);
    EXPECT_EQ(past_end.status, 200) << past_end.body;
    EXPECT_EQ(parseObject(past_end.body)->getArray("items")->size(), 0u);
    EXPECT_EQ(parseObject(past_end.body)->getValue<int>("total"), 1);
    EXPECT_EQ(largest_offset.status, 200) << largest_offset.body;
    EXPECT_EQ(parseObject(largest_offset.body)->getArray("items")->size(), 0u);
}

TEST_P(ItemsTest, ListRejectsInvalidBounds) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"limit=0", "limit='0'"},
        {"limit=101", "limit='101'"},
        {"limit=abc", "limit='abc'"},
        {"limit=", "limit=''"},
        {"limit=-1", "limit='-1'"},
        {"limit=2.5", "limit='2.5'"},
        {"offset=-1", "offset='-1'"},
        {"offset=x", "offset='x'"},
        {"offset=9223372036854775808", "offset='9223372036854775808'"},
    };

    for (const auto& [query, named] : cases) {
        HttpResponse response = send("GET", "/api/v1/items?" + query);

        expectProblem(response, 400);
        EXPECT_NE(parseObject(response.body)->getValue<std::string>("detail").find(named),
                  std::string::npos)
            << query << ": " << response.body;
    }
}

TEST_P(ItemsTest, ReplaceSetsEveryField) {
    Poco::JSON::Object::Ptr item =
        createItem(R"({"name":"Old","price":"1.00","description":"old text"})");

    HttpResponse replaced = send("PUT", itemPath(item), R"({"name":"New","price":"2.25"})");
    HttpResponse read = send("GET", itemPath(item));

    EXPECT_EQ(replaced.status, 200) << replaced.body;
    Poco::JSON::Object::Ptr body = parseObject(read.body);
    EXPECT_EQ(body->getValue<std::string>("name"), "New");
    EXPECT_EQ(body->getValue<std::string>("price"), "2.25");
    EXPECT_TRUE(body->isNull("description"));
    EXPECT_EQ(body->getValue<std::string>("created_at"), item->getValue<std::string>("created_at"));
    EXPECT_GE(body->getValue<std::string>("updated_at"), item->getValue<std::string>("updated_at"));
    EXPECT_EQ(read.body, replaced.body);
}

TEST_P(ItemsTest, ReplaceRequiresNameAndPrice) {
    Poco::JSON::Object::Ptr item = createItem(R"({"name":"Keep","price":"1.00"})");

    HttpResponse response = send("PUT", itemPath(item), R"({"description":"only"})");

    expectProblem(response, 422);
    EXPECT_EQ(invalidFields(response), (std::vector<std::string>{"name", "price"}));
}

TEST_P(ItemsTest, PatchChangesOnlyPresentFields) {
    Poco::JSON::Object::Ptr item =
        createItem(R"({"name":"Patch me","price":"1.00","description":"kept"})");

    HttpResponse price_patched = send("PATCH", itemPath(item), R"({"price":"9.99"})");
    HttpResponse description_cleared = send("PATCH", itemPath(item), R"({"description":null})");

    EXPECT_EQ(price_patched.status, 200) << price_patched.body;
    Poco::JSON::Object::Ptr after_price = parseObject(price_patched.body);
    EXPECT_EQ(after_price->getValue<std::string>("name"), "Patch me");
    EXPECT_EQ(after_price->getValue<std::string>("price"), "9.99");
    EXPECT_EQ(after_price->getValue<std::string>("description"), "kept");
    EXPECT_EQ(description_cleared.status, 200) << description_cleared.body;
    Poco::JSON::Object::Ptr after_clear = parseObject(description_cleared.body);
    EXPECT_EQ(after_clear->getValue<std::string>("price"), "9.99");
    EXPECT_TRUE(after_clear->isNull("description"));
}

TEST_P(ItemsTest, PatchRejectsNullName) {
    Poco::JSON::Object::Ptr item = createItem(R"({"name":"Named","price":"1.00"})");

    HttpResponse response = send("PATCH", itemPath(item), R"({"name":null})");

    expectProblem(response, 422);
    EXPECT_EQ(invalidFields(response), std::vector<std::string>{"name"});
}

TEST_P(ItemsTest, DeleteRemovesItem) {
    Poco::JSON::Object::Ptr item = createItem(R"({"name":"Delete me","price":"1.00"})");

    HttpResponse deleted = send("DELETE", itemPath(item));
    HttpResponse read = send("GET", itemPath(item));
    HttpResponse deleted_again = send("DELETE", itemPath(item));

    EXPECT_EQ(deleted.status, 204);
    EXPECT_EQ(deleted.body, "");
    EXPECT_EQ(deleted.header("Content-Length"), "");
    expectProblem(read, 404);
    expectProblem(deleted_again, 404);
}

TEST_P(ItemsTest, UnknownIdIsNotFound) {
    const std::vector<std::string> ids = {
        "999999", "0", "abc", "-1", "1.5", "99999999999999999999"};

    for (const std::string& id : ids) {
        std::string path = "/api/v1/items/" + id;

        HttpResponse read = send("GET", path);
        HttpResponse replaced = send("PUT", path, R"({"name":"x","price":"1.00"})");
        HttpResponse patched = send("PATCH", path, R"({"name":"x"})");
        HttpResponse deleted = send("DELETE", path);

        expectProblem(read, 404);
        expectProblem(replaced, 404);
        expectProblem(patched, 404);
        expectProblem(deleted, 404);
    }
}

TEST_P(ItemsTest, LeadingZeroIdIsNotFound) {
    Poco::JSON::Object::Ptr item = createItem(R"({"name":"Zero","price":"1.00"})");
    std::string path = "/api/v1/items/0" + item->getValue<std::string>("id");

    HttpResponse read = send("GET", path);

    expectProblem(read, 404);
    EXPECT_NE(read.body.find("'0" + item->getValue<std::string>("id") + "'"), std::string::npos)
        << read.body;
}

TEST_P(ItemsTest, LongUnknownIdIsQuotedShort) {
    std::string id(5000, '7');

    HttpResponse read = send("GET", "/api/v1/items/" + id);

    expectProblem(read, 404);
    EXPECT_NE(read.body.find("'" + id.substr(0, 40) + "...'"), std::string::npos) << read.body;
    EXPECT_LT(read.body.size(), 1000u) << read.body.size();
}

TEST_P(ItemsTest, NonUtf8CharsetIsRejected) {
    HttpResponse response = httpRequest(server_->port(),
                                        "POST",
                                        "/api/v1/items",
                                        R"({"name":"x","price":"1.00"})",
                                        {{"Content-Type", "application/json; charset=latin1"}});

    expectProblem(response, 415);
    EXPECT_NE(response.body.find("charset 'latin1'"), std::string::npos) << response.body;
}

TEST_P(ItemsTest, MalformedJsonIsBadRequest) {
    HttpResponse response = send("POST", "/api/v1/items", R"({"name":"x","price":)");

    expectProblem(response, 400);
}

TEST_P(ItemsTest, NonObjectJsonIsBadRequest) {
    HttpResponse response = send("POST", "/api/v1/items", R"(["name","price"])");

    expectProblem(response, 400);
}

TEST_P(ItemsTest, WrongContentTypeIsUnsupported) {
    HttpResponse response = httpRequest(server_->port(),
                                        "POST",
                                        "/api/v1/items",
                                        R"({"name":"x","price":"1.00"})",
                                        {{"Content-Type", "text/plain"}});

    expectProblem(response, 415);
}

TEST_P(ItemsTest, ContentTypeIgnoresCase) {
    HttpResponse response = httpRequest(server_->port(),
                                        "POST",
                                        "/api/v1/items",
                                        R"({"name":"x","price":"1.00"})",
                                        {{"Content-Type", "Application/JSON; charset=utf-8"}});

    EXPECT_EQ(response.status, 201) << response.body;
}

TEST_P(ItemsTest, JsonNullBodyNamesObject) {
    HttpResponse response = send("POST", "/api/v1/items", "null");

    expectProblem(response, 400);
    EXPECT_NE(response.body.find("must be a JSON object"), std::string::npos) << response.body;
}

TEST_P(ItemsTest, WrongMethodIsNotAllowed) {
    HttpResponse response = send("PUT", "/api/v1/items", R"({"name":"x","price":"1.00"})");

    expectProblem(response, 405);
    EXPECT_NE(response.header("Allow").find("GET"), std::string::npos) << response.header("Allow");
    EXPECT_NE(response.header("Allow").find("POST"), std::string::npos) << response.header("Allow");
}

TEST_P(ItemsTest, InvalidFieldsAreListed) {
    HttpResponse response =
        send("POST",
             "/api/v1/items",
             R"({"name":"","price":"-1","description":5,)"
             R"("id":7,"created_at":"2026-01-01T00:00:00.000Z","colour":"red"})");

    expectProblem(response, 422);
    std::vector<std::string> fields = invalidFields(response);
    for (const char* field : {"name", "price", "description", "id", "created_at", "colour"}) {
        EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end())
            << field << " missing from " << response.body;
    }
    EXPECT_EQ(fields.size(), 6u) << response.body;
}

TEST_P(ItemsTest, MissingRequiredFieldsAreListed) {
    HttpResponse response = send("POST", "/api/v1/items", "{}");

    expectProblem(response, 422);
    EXPECT_EQ(invalidFields(response), (std::vector<std::string>{"name", "price"}));
}

INSTANTIATE_TEST_SUITE_P(Backends,
                         ItemsTest,
                         testing::Values(Backend::Sqlite, Backend::MariaDb),
                         backendName);

TEST(ItemsDatabaseDownTest, RequestsGetServiceUnavailable) {
    ServerOptions options;
    options.environment = {{"DB_CONNECTOR", "mysql"},
                           {"MYSQL_HOST", "127.0.0.1"},
                           {"MYSQL_PORT", std::to_string(freePort())},
                           {"MYSQL_USER", "valhalla"},
                           {"MYSQL_PASSWORD", "unused"},
                           {"MYSQL_DATABASE", "valhalla"}};
    auto server = ServerProcess::start(options);

    HttpResponse created =
        httpJson(server->port(), "POST", "/api/v1/items", R"({"name":"x","price":"1.00"})");
    HttpResponse listed = httpRequest(server->port(), "GET", "/api/v1/items");

    expectProblem(created, 503);
    EXPECT_EQ(created.header("Retry-After"), "1");
    expectProblem(listed, 503);
}

TEST(ItemsDatabaseDownTest, TableIsCreatedOnceDatabaseStarts) {
    PrivateMariaDb mariadb;
    ServerOptions options;
    options.environment = {{"DB_CONNECTOR", "mysql"},
                           {"MYSQL_HOST", "127.0.0.1"},
                           {"MYSQL_PORT", std::to_string(mariadb.port())},
                           {"MYSQL_USER", "root"},
                           {"MYSQL_PASSWORD", ""},
                           {"MYSQL_DATABASE", "valhalla_items"}};
    auto server = ServerProcess::start(options);
    HttpResponse while_down =
        httpJson(server->port(), "POST", "/api/v1/items", R"({"name":"x","price":"1.00"})");
    mariadb.start();
    mariadb.execute("CREATE DATABASE valhalla_items");

    HttpResponse after_start =
        httpJson(server->port(), "POST", "/api/v1/items", R"({"name":"x","price":"1.00"})");

    expectProblem(while_down, 503);
    EXPECT_EQ(after_start.status, 201) << after_start.body << "\n" << server->log();
}

}  // namespace
}  // namespace valhalla::test
