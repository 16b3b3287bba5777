#pragma once

#include <memory>
#include <string>
#include <vector>

#include <Poco/Util/AbstractConfiguration.h>
#include <spdlog/logger.h>

#include <valhalla/sdk/database.hpp>
#include <valhalla/sdk/metrics.hpp>
#include <valhalla/sdk/router.hpp>

namespace valhalla::sdk {

/// Services the host gives a plugin when it starts. The context, the database and
/// the logger outlive the plugin. The router may be used only inside `Plugin::start`.
class PluginContext {
public:
    /// Destroyed by the host after the plugin. Plugins never delete it.
    virtual ~PluginContext() = default;

    /// The plugin's name, from its ABI descriptor.
    virtual const std::string& name() const = 0;

    /// The plugin's version, from its ABI descriptor.
    virtual const std::string& version() const = 0;

    /// Version of the host that loaded the plugin.
    virtual const std::string& hostVersion() const = 0;

    /// Router for the plugin's routes; valid only during `Plugin::start`.
    virtual Router& router() = 0;

    /// The section `plugins.<name>.*`, with the declared defaults applied. Keys are
    /// relative to the section. Reading is thread-safe and the values do not change
    /// while the process runs. Poco throws NotFoundException for a key that is
    /// neither set nor declared with a default, and SyntaxException for a value that
    /// does not convert to the requested type.
    virtual const Poco::Util::AbstractConfiguration& config() const = 0;

    /// A logger named `plugin.<name>`, sharing the host's sinks, format and level.
    /// Thread-safe.
    virtual std::shared_ptr<spdlog::logger> logger() const = 0;

    /// The worker's database pool, shared with the other plugins. Thread-safe.
    virtual Database& database() = 0;

    // The members below were added in SDK 1.1. They come last, so the vtable offsets
    // of the members above stay those of SDK 1.0.

    /// Declares a counter, shown in `/metrics` as `<plugin>_<name>` (with characters
    /// other than letters, digits and `_` in the plugin name replaced by `_`).
    /// Declaring the same name again returns the same counter. The reference stays
    /// valid while the plugin runs. Throws std::invalid_argument for a name that is
    /// not `[a-zA-Z_][a-zA-Z0-9_]*` or that was declared as a histogram, and
    /// std::length_error when the server's table of plugin metrics is full.
    virtual Counter& counter(const std::string& name, const std::string& help) = 0;

    /// Declares a histogram with the given bucket upper bounds (1 to 16 finite values
    /// in increasing order). Throws as `counter` does, and std::invalid_argument for
    /// bounds that differ from an earlier declaration of the name.
    virtual Histogram& histogram(const std::string& name,
                                 const std::string& help,
                                 const std::vector<double>& bounds) = 0;

    /// Sets the check that `/readyz` consults for this plugin, replacing any earlier
    /// one. `/readyz` returns 503 while a check reports not ready.
    virtual void setReadinessCheck(ReadinessCheck check) = 0;
};

}  // namespace valhalla::sdk
