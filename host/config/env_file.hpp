#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace valhalla::host::config {

/// One `KEY=VALUE` assignment of a `.env` file.
struct EnvFileEntry {
    /// An environment variable name such as `FLASK_PORT`, or a dotted setting key such
    /// as `plugins.hello.message`.
    std::string key;
    /// The value with quotes removed and escapes replaced.
    std::string value;
    /// Line number in the file, counting from 1.
    int line = 0;
};

/// Parses the text of a `.env` file into its assignments, in file order.
///
/// Syntax, one assignment per line:
/// - blank lines and lines starting with `#` are skipped, and an `export ` prefix is ignored;
/// - whitespace around the key and around `=` is trimmed;
/// - an unquoted value ends at a `#` that follows a space or tab, and is trimmed;
/// - a value in single quotes is taken literally;
/// - a value in double quotes replaces the escapes `\n`, `\t`, `\"`, `\\` and `\$`,
///   and keeps a backslash before any other character;
/// - a quoted value ends on its own line, so a value that spans lines needs `\n`;
/// - a key starts with a letter or '_' and continues with letters, digits, '_', '-' and
///   '.', where '.' separates non-empty parts.
///
/// Throws SettingsError naming `file_name` and the line number for an unterminated quote,
/// text after a closing quote, a line without `=`, or an invalid key. The function reads
/// no files, so it can be tested and fuzzed on any text.
std::vector<EnvFileEntry> parseEnvFile(std::string_view text, std::string_view file_name);

}  // namespace valhalla::host::config
