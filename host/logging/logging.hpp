#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace valhalla::host::logging {

/// Sets up spdlog for this process: one stdout sink shared by every logger, the
/// level, and the line format (`text`, or `json` for one JSON object per line).
/// Every line carries the pid. Call once, before any logger is created.
void configure(const std::string& level, const std::string& format);

/// Returns the logger called `name`, created on first use with the shared sink.
/// Subsystem loggers are `server`, `access`, `config`, `plugin`, `db`; plugins get
/// `plugin.<name>`. Thread-safe.
std::shared_ptr<spdlog::logger> get(const std::string& name);

}  // namespace valhalla::host::logging
