#pragma once

#include <memory>
#include <string>

#include <Poco/AutoPtr.h>
#include <Poco/Util/LayeredConfiguration.h>

#include <valhalla/sdk/config_key.hpp>
#include <valhalla/sdk/plugin_context.hpp>

#include "server/route_table.hpp"

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
                      sdk::Database& database);

    const std::string& name() const override { return name_; }

    const std::string& version() const override { return version_; }

    const std::string& hostVersion() const override;

    sdk::Router& router() override { return router_; }

    const Poco::Util::AbstractConfiguration& config() const override { return *config_; }

    std::shared_ptr<spdlog::logger> logger() const override { return logger_; }

    sdk::Database& database() override { return database_; }

private:
    std::string name_;
    std::string version_;
    Poco::AutoPtr<Poco::Util::AbstractConfiguration> config_;
    PluginRouter router_;
    std::shared_ptr<spdlog::logger> logger_;
    sdk::Database& database_;
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
