#include "plugin/plugin_context_impl.hpp"

#include <algorithm>
#include <stdexcept>

#include <Poco/Util/MapConfiguration.h>

#include "logging/logging.hpp"

namespace valhalla::host::plugin {

PluginContextImpl::PluginContextImpl(std::string name,
                                     std::string version,
                                     Poco::AutoPtr<Poco::Util::AbstractConfiguration> config,
                                     server::RouteTable& routes,
                                     sdk::Database& database,
                                     shared::SharedRegion& region)
    : name_(std::move(name)),
      version_(std::move(version)),
      config_(std::move(config)),
      router_(routes, name_),
      logger_(logging::get("plugin." + name_)),
      database_(database),
      metrics_(region, name_) {}

void PluginContextImpl::setReadinessCheck(sdk::ReadinessCheck check) {
    auto shared = check ? std::make_shared<const sdk::ReadinessCheck>(std::move(check)) : nullptr;
    std::lock_guard lock(readiness_mutex_);
    readiness_check_ = std::move(shared);
}

std::optional<std::string> PluginContextImpl::notReadyReason() const {
    std::shared_ptr<const sdk::ReadinessCheck> check;
    {
        std::lock_guard lock(readiness_mutex_);
        check = readiness_check_;
    }
    if (!check) {
        return std::nullopt;
    }
    try {
        sdk::Readiness readiness = (*check)();
        if (readiness.ready) {
            return std::nullopt;
        }
        return readiness.reason.empty() ? std::string("not ready") : readiness.reason;
    } catch (const std::exception& error) {
        return std::string("readiness check failed: ") + error.what();
    } catch (...) {
        return std::string("readiness check failed with an exception of unknown type");
    }
}

const std::string& PluginContextImpl::hostVersion() const {
    static const std::string kVersion = VALHALLA_VERSION;
    return kVersion;
}

Poco::AutoPtr<Poco::Util::AbstractConfiguration> pluginConfiguration(
    const Poco::Util::AbstractConfiguration& merged,
    const std::string& name,
    const std::vector<sdk::ConfigKey>& keys) {
    std::string prefix = "plugins." + name + ".";
    Poco::AutoPtr<Poco::Util::MapConfiguration> defaults = new Poco::Util::MapConfiguration;
    for (const auto& key : keys) {
        if (key.required && !merged.has(prefix + key.name)) {
            throw std::runtime_error("missing required configuration key " + prefix + key.name +
                                     " (" + key.description +
                                     "); set it in etc/valhalla.properties or with "
                                     "--define " +
                                     prefix + key.name + "=VALUE");
        }
        if (key.default_value) {
            defaults->setString(key.name, *key.default_value);
        }
    }
    Poco::AutoPtr<Poco::Util::LayeredConfiguration> layered = new Poco::Util::LayeredConfiguration;
    Poco::AutoPtr<Poco::Util::AbstractConfiguration> section(
        const_cast<Poco::Util::AbstractConfiguration&>(merged).createView("plugins." + name));
    layered->add(section, 0);
    layered->add(defaults, 100);
    return layered;
}

std::vector<std::string> undeclaredKeys(const Poco::Util::AbstractConfiguration& merged,
                                        const std::string& name,
                                        const std::vector<sdk::ConfigKey>& keys) {
    std::vector<std::string> unknown;
    if (keys.empty()) {
        return unknown;
    }
    Poco::Util::AbstractConfiguration::Keys present;
    merged.keys("plugins." + name, present);
    for (const auto& key : present) {
        bool declared =
            std::any_of(keys.begin(), keys.end(), [&](const sdk::ConfigKey& declared_key) {
                return declared_key.name == key || declared_key.name.starts_with(key + ".");
            });
        if (!declared) {
            unknown.push_back("plugins." + name + "." + key);
        }
    }
    return unknown;
}

}  // namespace valhalla::host::plugin
