#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <valhalla/sdk/config_key.hpp>
#include <valhalla/sdk/plugin_context.hpp>

#include "server/route_table.hpp"
#include "shared/plugin_metrics.hpp"

namespace valhalla::host::plugin {

/// Router a plugin gets during start: adds routes to the shared table under the
/// plugin's name.
class PluginRouter : public sdk::Router {
public:
    PluginRouter(server::RouteTable& table, std::string owner)
        : table_(table), owner_(std::move(owner)) {}

    void add(const std::string& method, const std::string& pattern, sdk::Handler handler) override {
        table_.add(method, pattern, owner_, std::move(handler));
    }

private:
    server::RouteTable& table_;
    std::string owner_;
};

/// The host's sdk::PluginContext for one plugin.
class PluginContextImpl : public sdk::PluginContext {
public:
    PluginContextImpl(std::string name,
                      std::string version,
                      Poco::AutoPtr<Poco::Util::AbstractConfiguration> config,
                      server::RouteTable& routes,
                      sdk::Database& database,
                      shared::SharedRegion& region);

    const std::string& name() const override { return name_; }

    const std::string& version() const override { return version_; }

    const std::string& hostVersion() const override;

    sdk::Router& router() override { return router_; }

    const Poco::Util::AbstractConfiguration& config() const override { return *config_; }

    std::shared_ptr<spdlog::logger> logger() const override { return logger_; }

    sdk::Database& database() override { return database_; }

    sdk::Counter& counter(const std::string& name, const std::string& help) override {
        return metrics_.counter(name, help);
    }

    sdk::Histogram& histogram(const std::string& name,
                              const std::string& help,
                              const std::vector<double>& bounds) override {
        return metrics_.histogram(name, help, bounds);
    }

    void setReadinessCheck(sdk::ReadinessCheck check) override;

    /// Runs the plugin's readiness check. Returns the reason it is not ready, or
    /// std::nullopt when it is ready or has no check.
    std::optional<std::string> notReadyReason() const;

private:
    std::string name_;
    std::string version_;
    Poco::AutoPtr<Poco::Util::AbstractConfiguration> config_;
    PluginRouter router_;
    std::shared_ptr<spdlog::logger> logger_;
    sdk::Database& database_;
    shared::PluginMetrics metrics_;
    mutable std::mutex readiness_mutex_;
    std::shared_ptr<const sdk::ReadinessCheck> readiness_check_;
};

/// Builds a plugin's configuration: the section `plugins.<name>` of `merged` over
/// the declared defaults. Throws std::runtime_error naming the first required key
/// that is not set.
Poco::AutoPtr<Poco::Util::AbstractConfiguration> pluginConfiguration(
    const Poco::Util::AbstractConfiguration& merged,
    const std::string& name,
    const std::vector<sdk::ConfigKey>& keys);

/// Returns the keys set in the section `plugins.<name>` that `keys` does not
/// declare, as full key names. Empty when `keys` is empty.
std::vector<std::string> undeclaredKeys(const Poco::Util::AbstractConfiguration& merged,
                                        const std::string& name,
                                        const std::vector<sdk::ConfigKey>& keys);

}  // namespace valhalla::host::plugin
