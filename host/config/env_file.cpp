#include "config/env_file.hpp"

#include <optional>

#include "config/settings.hpp"
#include "config/value_parsers.hpp"

namespace valhalla::host::config {

namespace {

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

// Position of one line in a file, for error messages.
struct LineLocation {
    std::string_view file_name;
    int line;
};

[[noreturn]] void throwSyntaxError(const LineLocation& location, const std::string& problem) {
    throw SettingsError(std::string(location.file_name) + " line " + std::to_string(location.line) +
                        ": " + problem);
}

bool isBlank(char c) {
    return c == ' ' || c == '\t';
}

bool isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isKeyCharacter(char c) {
    return isLetter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

bool isValidKey(std::string_view key) {
    if (key.empty() || !(isLetter(key.front()) || key.front() == '_')) {
        return false;
    }
    if (key.back() == '.' || key.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : key) {
        if (!isKeyCharacter(c)) {
            return false;
        }
    }
    return true;
}

std::string_view removeExportPrefix(std::string_view line) {
    constexpr std::string_view kExport = "export";
    if (line.size() > kExport.size() && line.starts_with(kExport) &&
        isBlank(line[kExport.size()])) {
        return trimWhitespace(line.substr(kExport.size()));
    }
    return line;
}

// Only whitespace or a comment may follow a closing quote.
void checkAfterClosingQuote(std::string_view rest, const LineLocation& location) {
    std::string_view trimmed = trimWhitespace(rest);
    if (!trimmed.empty() && trimmed.front() != '#') {
        throwSyntaxError(location,
                         "unexpected text '" + std::string(trimmed) +
                             "' after the closing quote: put the whole value in quotes");
    }
}

std::string parseSingleQuoted(std::string_view value, const LineLocation& location) {
    std::size_t closing = value.find('\'', 1);
    if (closing == std::string_view::npos) {
        throwSyntaxError(location, "unterminated single quote: close the value with '");
    }
    checkAfterClosingQuote(value.substr(closing + 1), location);
    return std::string(value.substr(1, closing - 1));
}

std::optional<char> escapedCharacter(char c) {
    switch (c) {
        case 'n':
            return '\n';
        case 't':
            return '\t';
        case '"':
        case '\\':
        case '$':
            return c;
        default:
            return std::nullopt;
    }
}

std::string parseDoubleQuoted(std::string_view value, const LineLocation& location) {
    std::string result;
    for (std::size_t i = 1; i < value.size(); ++i) {
        char c = value[i];
        if (c == '"') {
            checkAfterClosingQuote(value.substr(i + 1), location);
            return result;
        }
        if (c != '\\' || i + 1 == value.size()) {
            result += c;
            continue;
        }
        std::optional<char> escaped = escapedCharacter(value[i + 1]);
        if (escaped) {
            result += *escaped;
            ++i;
        } else {
            result += c;
        }
    }
    throwSyntaxError(location, "unterminated double quote: close the value with \"");
}

std::string parseUnquoted(std::string_view value) {
    for (std::size_t i = 1; i < value.size(); ++i) {
        if (value[i] == '#' && isBlank(value[i - 1])) {
            value = value.substr(0, i);
            break;
        }
    }
    return std::string(trimWhitespace(value));
}

// `raw` is everything after '='. A '#' right after '=' starts the value, but a '#' after
// whitespace starts a comment, so leading whitespace is kept until the comment is found.
std::string parseValue(std::string_view raw, const LineLocation& location) {
    std::string_view value = trimWhitespace(raw);
    if (value.starts_with('\'')) {
        return parseSingleQuoted(value, location);
    }
    if (value.starts_with('"')) {
        return parseDoubleQuoted(value, location);
    }
    return parseUnquoted(raw);
}

std::optional<EnvFileEntry> parseLine(std::string_view line, const LineLocation& location) {
    std::string_view content = trimWhitespace(line);
    if (content.empty() || content.front() == '#') {
        return std::nullopt;
    }
    content = removeExportPrefix(content);

    std::size_t equals = content.find('=');
    if (equals == std::string_view::npos) {
        throwSyntaxError(location, "missing '=': expected KEY=VALUE");
    }
    std::string_view key = trimWhitespace(content.substr(0, equals));
    if (!isValidKey(key)) {
        throwSyntaxError(location,
                         "invalid key '" + std::string(key) +
                             "': expected a letter or '_' followed by letters, digits, '_', "
                             "'-' and '.'");
    }

    return EnvFileEntry{
        std::string(key), parseValue(content.substr(equals + 1), location), location.line};
}

}  // namespace

std::vector<EnvFileEntry> parseEnvFile(std::string_view text, std::string_view file_name) {
    if (text.starts_with(kUtf8ByteOrderMark)) {
        text.remove_prefix(kUtf8ByteOrderMark.size());
    }

    std::vector<EnvFileEntry> entries;
    LineLocation location{file_name, 0};
    while (!text.empty()) {
        std::size_t newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        ++location.line;

        std::optional<EnvFileEntry> entry = parseLine(line, location);
        if (entry) {
            entries.push_back(std::move(*entry));
        }
    }
    return entries;
}

}  // namespace valhalla::host::config
