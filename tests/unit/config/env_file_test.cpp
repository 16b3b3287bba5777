#include "config/env_file.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/settings.hpp"

namespace valhalla::host::config {

namespace {

constexpr const char* kFileName = "/srv/app/.env";

// Parses `text` that must hold exactly one assignment and returns it.
EnvFileEntry parseSingle(std::string_view text) {
    std::vector<EnvFileEntry> entries = parseEnvFile(text, kFileName);
    EXPECT_EQ(entries.size(), 1U) << "text: " << text;
    return entries.empty() ? EnvFileEntry{} : entries.front();
}

// The message of the SettingsError that parsing `text` throws, or an empty string.
std::string parseError(std::string_view text) {
    try {
        parseEnvFile(text, kFileName);
    } catch (const SettingsError& error) {
        return error.what();
    }
    return {};
}

struct ValueCase {
    std::string text;
    std::string expected_key;
    std::string expected_value;
};

struct ErrorCase {
    std::string text;
    std::string expected_location;
    std::string expected_problem;
};

}  // namespace

TEST(EnvFile, ParsesKeyValueLine) {
    std::string text = "FLASK_PORT=8080\n";

    EnvFileEntry entry = parseSingle(text);

    EXPECT_EQ(entry.key, "FLASK_PORT");
    EXPECT_EQ(entry.value, "8080");
    EXPECT_EQ(entry.line, 1);
}

TEST(EnvFile, SkipsBlankLinesAndComments) {
    std::string text = "\n# a comment\n   \n\t# indented comment\nWORKERS=4\n";

    std::vector<EnvFileEntry> entries = parseEnvFile(text, kFileName);

    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].key, "WORKERS");
    EXPECT_EQ(entries[0].line, 5);
}

TEST(EnvFile, KeepsFileOrderAndLineNumbers) {
    std::string text = "A=1\n\nB=2\nA=3";

    std::vector<EnvFileEntry> entries = parseEnvFile(text, kFileName);

    ASSERT_EQ(entries.size(), 3U);
    EXPECT_EQ(entries[0].line, 1);
    EXPECT_EQ(entries[1].line, 3);
    EXPECT_EQ(entries[2].line, 4);
    EXPECT_EQ(entries[2].value, "3");
}

TEST(EnvFile, ParsesEmptyText) {
    std::vector<EnvFileEntry> entries = parseEnvFile("", kFileName);

    EXPECT_TRUE(entries.empty());
}

TEST(EnvFile, ParsesEverySyntaxForm) {
    const std::vector<ValueCase> cases = {
        {"export FLASK_HOST=127.0.0.1", "FLASK_HOST", "127.0.0.1"},
        {"export\tFLASK_HOST=127.0.0.1", "FLASK_HOST", "127.0.0.1"},
        {"export=1", "export", "1"},
        {"  KEY   =   value  ", "KEY", "value"},
        {"KEY=value # comment", "KEY", "value"},
        {"KEY=value\t# comment", "KEY", "value"},
        {"KEY=value#not-a-comment", "KEY", "value#not-a-comment"},
        {"KEY=#value", "KEY", "#value"},
        {"KEY= # only a comment", "KEY", ""},
        {"KEY=", "KEY", ""},
        {"KEY=a b  c", "KEY", "a b  c"},
        {"KEY=it's", "KEY", "it's"},
        {"KEY='literal \\n $HOME # not a comment'", "KEY", "literal \\n $HOME # not a comment"},
        {"KEY='  padded  '", "KEY", "  padded  "},
        {"KEY=''", "KEY", ""},
        {"KEY='quoted' # comment", "KEY", "quoted"},
        {"KEY=\"line\\nbreak\"", "KEY", "line\nbreak"},
        {"KEY=\"tab\\there\"", "KEY", "tab\there"},
        {"KEY=\"say \\\"hi\\\"\"", "KEY", "say \"hi\""},
        {"KEY=\"back\\\\slash\"", "KEY", "back\\slash"},
        {"KEY=\"\\$HOME\"", "KEY", "$HOME"},
        {"KEY=\"C:\\dir\"", "KEY", "C:\\dir"},
        {"KEY=\"a # b\"", "KEY", "a # b"},
        {"KEY=\"single ' inside\"", "KEY", "single ' inside"},
        {"KEY=\"\"", "KEY", ""},
        {"KEY=\"quoted\"   # comment", "KEY", "quoted"},
        {"KEY=a=b=c", "KEY", "a=b=c"},
        {"plugins.hello.message=hi", "plugins.hello.message", "hi"},
        {"plugins.my-plugin.key=1", "plugins.my-plugin.key", "1"},
        {"_PRIVATE=1", "_PRIVATE", "1"},
        {"KEY=value\r", "KEY", "value"},
        {"\xEF\xBB\xBFKEY=value", "KEY", "value"},
    };

    for (const ValueCase& test_case : cases) {
        EnvFileEntry entry = parseSingle(test_case.text);

        EXPECT_EQ(entry.key, test_case.expected_key) << "text: " << test_case.text;
        EXPECT_EQ(entry.value, test_case.expected_value) << "text: " << test_case.text;
    }
}

TEST(EnvFile, AcceptsCrLfLineEnds) {
    std::string text = "A=1\r\nB=\"two\"\r\n";

    std::vector<EnvFileEntry> entries = parseEnvFile(text, kFileName);

    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].value, "1");
    EXPECT_EQ(entries[1].value, "two");
}

TEST(EnvFile, RejectsEachErrorWithLineNumber) {
    const std::vector<ErrorCase> cases = {
        {"A=1\nKEY='open", "/srv/app/.env line 2", "unterminated single quote"},
        {"A=1\n\nKEY=\"open", "/srv/app/.env line 3", "unterminated double quote"},
        {"KEY=\"ends with escaped quote\\\"", "/srv/app/.env line 1", "unterminated double quote"},
        {"KEY=\"multi\nline\"", "/srv/app/.env line 1", "unterminated double quote"},
        {"# comment\nNO_EQUALS_SIGN", "/srv/app/.env line 2", "missing '='"},
        {"export NAME", "/srv/app/.env line 1", "missing '='"},
        {"1KEY=value", "/srv/app/.env line 1", "invalid key '1KEY'"},
        {"=value", "/srv/app/.env line 1", "invalid key ''"},
        {"MY KEY=value", "/srv/app/.env line 1", "invalid key 'MY KEY'"},
        {"plugins..x=1", "/srv/app/.env line 1", "invalid key 'plugins..x'"},
        {"plugins.=1", "/srv/app/.env line 1", "invalid key 'plugins.'"},
        {".key=1", "/srv/app/.env line 1", "invalid key '.key'"},
        {"KEY$=1", "/srv/app/.env line 1", "invalid key 'KEY$'"},
        {"A=1\nKEY='quoted'trailing", "/srv/app/.env line 2", "unexpected text 'trailing'"},
        {"KEY=\"quoted\" trailing", "/srv/app/.env line 1", "unexpected text 'trailing'"},
    };

    for (const ErrorCase& test_case : cases) {
        std::string message = parseError(test_case.text);

        EXPECT_NE(message.find(test_case.expected_location), std::string::npos)
            << "text: " << test_case.text << "\nmessage: " << message;
        EXPECT_NE(message.find(test_case.expected_problem), std::string::npos)
            << "text: " << test_case.text << "\nmessage: " << message;
    }
}

}  // namespace valhalla::host::config
