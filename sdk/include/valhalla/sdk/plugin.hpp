#pragma once

#include <memory>
#include <vector>

#include <boost/dll/alias.hpp>

#include <valhalla/sdk/abi.hpp>
#include <valhalla/sdk/config_key.hpp>
#include <valhalla/sdk/plugin_context.hpp>

namespace valhalla::sdk {

/// Base class of every plugin.
///
/// Lifecycle: the host constructs the plugin, calls `configKeys()`, then calls
/// `start()` once on its start-up thread. Handlers then run on request threads. At
/// shutdown the host calls `stop()` once, in reverse load order, before the database
/// pool closes. A plugin whose `start` throws is skipped, its routes are removed,
/// and its `stop` is not called.
///
/// Threading: `configKeys`, `start`, `stop` and the destructor run on the host's
/// start-up thread, never at the same time as a handler of this plugin.
class Plugin {
public:
    /// Runs right after `stop()`, or after a failed start. Must not throw.
    virtual ~Plugin() = default;

    /// Keys of the plugin's configuration section, called once before `start`. The
    /// host applies the defaults and fails the plugin when a required key is missing.
    /// The default declares none, which also turns off the warning about unknown keys.
    virtual std::vector<ConfigKey> configKeys() const { return {}; }

    /// Reads configuration and registers routes. Throw to fail the start: the message
    /// is logged with the plugin's file, and the plugin is skipped unless it is listed
    /// in `plugins.required`, in which case start-up fails. Release what was acquired
    /// before throwing, because `stop` is not called then.
    virtual void start(PluginContext& context) = 0;

    /// Releases what `start` acquired, such as threads: join them here. No handler of
    /// this plugin runs during or after `stop`, and the database is still open. An
    /// exception is logged and the shutdown goes on.
    virtual void stop() {}
};

/// Signature of the factory that VALHALLA_PLUGIN exports.
using PluginFactory = std::shared_ptr<Plugin>();

/// Name of the exported factory symbol.
inline constexpr const char* kFactorySymbol = "valhalla_create_plugin";

}  // namespace valhalla::sdk

/// Exports a plugin class. Use it once in one source file of the plugin:
///
///     VALHALLA_PLUGIN(HelloPlugin, "hello", "1.0.0")
///
/// It writes the ABI descriptor into the `.valhalla_abi` section, where the host
/// reads it without loading the file, and exports a factory that creates the class.
#define VALHALLA_PLUGIN(PluginClass, plugin_name, plugin_version)                                  \
    extern "C" __attribute__((                                                                     \
        used,                                                                                      \
        section(".valhalla_abi"),                                                                  \
        visibility("default"))) constexpr ::valhalla::sdk::AbiDescriptor valhalla_abi_descriptor = \
        ::valhalla::sdk::makeAbiDescriptor(plugin_name, plugin_version);                           \
    namespace valhalla_plugin_export {                                                             \
    std::shared_ptr<::valhalla::sdk::Plugin> createPlugin() {                                      \
        return std::make_shared<PluginClass>();                                                    \
    }                                                                                              \
    }                                                                                              \
    BOOST_DLL_ALIAS(valhalla_plugin_export::createPlugin, valhalla_create_plugin)
