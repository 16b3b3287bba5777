#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace valhalla::host::logging {

/// Sets up spdlog for this process: one sink shared by every logger (stdout, or
/// `file` appended to when it is not empty), the level, and the line format
/// (`text`, or `json` for one JSON object per line). Every line carries the pid and
/// the plugin generation.
/// Call once, before any logger is created. Throws std::runtime_error naming the
/// file when it cannot be opened.
void configure(const std::string& level, const std::string& format, const std::string& file = {});

/// Reopens the log file by name after rotation. Returns false when logging goes to
/// stdout or the file cannot be opened, in which case the old file stays in use.
bool reopen();

/// Sets the plugin generation that every later line carries: the worker's own, or
/// the serving one in the supervisor. 0, the start value, prints as `-`.
void setGeneration(int generation);

/// Whether lines are JSON objects. In JSON, the `access` logger's messages are the
/// record's fields (`"key":value` pairs, already escaped) rather than a text message.
bool jsonFormat();

/// Escapes `text` as the inside of a JSON string: quotes, backslashes and control
/// characters. Bytes of 0x80 and above pass unchanged.
std::string jsonEscape(std::string_view text);

/// Returns the logger called `name`, created on first use with the shared sink.
/// Subsystem loggers are `server`, `access`, `config`, `plugin`, `db`; plugins get
/// `plugin.<name>`. Thread-safe.
std::shared_ptr<spdlog::logger> get(const std::string& name);

}  // namespace valhalla::host::logging
