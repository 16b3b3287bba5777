#include "plugin/plugin_set.hpp"

#include <algorithm>

#include <Poco/Exception.h>
#include <boost/dll/library_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <valhalla/sdk/plugin.hpp>

#include "logging/logging.hpp"
#include "plugin/abi_descriptor_reader.hpp"
#include "plugin/plugin_context_impl.hpp"

namespace valhalla::host::plugin {

namespace {

/// A load step failed; the message is the reason recorded for the file.
class LoadFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
    std::string text;
    for (const auto& part : parts) {
        text += (text.empty() ? "" : separator) + part;
    }
    return text;
}

// Checks the full symbol table before any plugin code runs. Boost 1.74's
// library_info reads only .symtab, which `strip` removes; a stripped file passes here
// and is checked through the dynamic symbol table after dlopen instead. Its ABI
// descriptor, checked earlier, already shows that VALHALLA_PLUGIN built it.
void checkFactorySymbol(const std::string& path) {
    std::vector<std::string> symbols;
    try {
        symbols = boost::dll::library_info(path).symbols();
    } catch (const std::exception& error) {
        throw LoadFailure(std::string("cannot read the symbol table: ") + error.what());
    }
    if (symbols.empty()) {
        return;
    }
    if (std::find(symbols.begin(), symbols.end(), sdk::kFactorySymbol) == symbols.end()) {
        throw LoadFailure(std::string("missing the exported symbol ") + sdk::kFactorySymbol +
                          "; export the plugin class with VALHALLA_PLUGIN");
    }
}

// Runs a call into plugin code and turns any exception into a LoadFailure.
template <typename Call>
auto guarded(const std::string& step, Call call) {
    try {
        return call();
    } catch (const LoadFailure&) {
        throw;
    } catch (const Poco::Exception& error) {
        throw LoadFailure(step + " failed: " + error.displayText());
    } catch (const std::exception& error) {
        throw LoadFailure(step + " failed: " + error.what());
    } catch (...) {
        throw LoadFailure(step + " failed with an exception not derived from std::exception");
    }
}

}  // namespace

// Members are destroyed in reverse order: the plugin first, then its context, and
// the library last, because both objects run code from it.
struct PluginSet::Loaded {
    boost::dll::shared_library library;
    std::unique_ptr<PluginContextImpl> context;
    std::shared_ptr<sdk::Plugin> plugin;
    std::string name;
    std::string file_name;
};

PluginSet::PluginSet(const config::Settings& settings,
                     server::RouteTable& routes,
                     sdk::Database& database,
                     shared::SharedRegion& region)
    : settings_(settings),
      routes_(routes),
      database_(database),
      region_(region),
      log_(logging::get("plugin")) {}

PluginSet::~PluginSet() {
    stopAll();
}

void PluginSet::loadAll(const Generation& generation,
                        const std::function<void(const GenerationFile&)>& before_each) {
    for (const auto& file : generation.files()) {
        log_->debug("loading plugin file={} copy={}", file.source_path, file.copy_path);
        if (before_each) {
            before_each(file);
        }
        LoadResult result;
        result.file_name = file.file_name;
        result.source_path = file.source_path;
        result.checksum = file.checksum;
        result.load_time = std::chrono::system_clock::now();
        try {
            loadOne(file, result);
            result.loaded = true;
            log_->info("plugin loaded name={} version={} file={} sha256={} routes={}",
                       result.name,
                       result.version,
                       result.source_path,
                       result.checksum,
                       result.routes.size());
        } catch (const LoadFailure& failure) {
            result.error = failure.what();
            log_->error("plugin skipped file={} name={} reason=\"{}\"",
                        result.source_path,
                        result.name.empty() ? "-" : result.name,
                        result.error);
        }
        results_.push_back(std::move(result));
    }
}

void PluginSet::loadOne(const GenerationFile& file, LoadResult& result) {
    sdk::AbiDescriptor descriptor;
    try {
        descriptor = readAbiDescriptor(file.copy_path);
    } catch (const AbiReadError& error) {
        throw LoadFailure(std::string("not a valhalla plugin: ") + error.what());
    }
    result.name = descriptor.name;
    result.version = descriptor.version;
    auto mismatches = abiMismatches(descriptor, hostAbiDescriptor());
    if (!mismatches.empty()) {
        throw LoadFailure("incompatible build (" + joined(mismatches, "; ") +
                          "); rebuild the plugin against this host's SDK and libraries");
    }
    for (const auto& other : loaded_) {
        if (other->name == result.name) {
            throw LoadFailure("plugin name '" + result.name + "' is already loaded from " +
                              other->file_name + "; plugin names must be unique");
        }
    }
    checkFactorySymbol(file.copy_path);

    auto loaded = std::make_unique<Loaded>();
    loaded->name = result.name;
    loaded->file_name = file.file_name;
    try {
        loaded->library.load(file.copy_path,
                             boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& error) {
        throw LoadFailure(std::string("dlopen failed: ") + error.what());
    }
    if (!loaded->library.has(sdk::kFactorySymbol)) {
        throw LoadFailure(std::string("missing the exported symbol ") + sdk::kFactorySymbol +
                          "; export the plugin class with VALHALLA_PLUGIN");
    }
    auto& factory = loaded->library.get_alias<sdk::PluginFactory>(sdk::kFactorySymbol);
    loaded->plugin = guarded("creating the plugin", [&] { return factory(); });
    if (!loaded->plugin) {
        throw LoadFailure("the plugin factory returned no object");
    }

    auto keys = guarded("configKeys()", [&] { return loaded->plugin->configKeys(); });
    auto config = guarded(
        "configuration", [&] { return pluginConfiguration(*settings_.merged, result.name, keys); });
    for (const auto& key : undeclaredKeys(*settings_.merged, result.name, keys)) {
        log_->warn(
            "unknown configuration key {} for plugin {}; check its spelling", key, result.name);
    }
    loaded->context = std::make_unique<PluginContextImpl>(
        result.name, result.version, config, routes_, database_, region_);
    try {
        guarded("start()", [&] { loaded->plugin->start(*loaded->context); });
    } catch (const LoadFailure&) {
        routes_.removeOwner(result.name);
        throw;
    }
    for (const auto& route : routes_.routes()) {
        if (route->owner == result.name) {
            result.routes.push_back(route->method + " " + route->pattern);
        }
    }
    loaded_.push_back(std::move(loaded));
}

std::vector<std::string> PluginSet::missingRequired() const {
    std::vector<std::string> missing;
    for (const auto& name : settings_.required_plugins) {
        bool loaded = std::any_of(results_.begin(), results_.end(), [&](const LoadResult& result) {
            return result.loaded && result.name == name;
        });
        if (loaded) {
            continue;
        }
        std::vector<std::string> reasons;
        for (const auto& result : results_) {
            if (!result.loaded && (result.name == name || result.name.empty())) {
                reasons.push_back(result.file_name + ": " + result.error);
            }
        }
        missing.push_back("required plugin '" + name + "' did not load" +
                          (reasons.empty()
                               ? std::string(" (no file in the plugin folder declares it)")
                               : " (" + joined(reasons, "; ") + ")"));
    }
    return missing;
}

std::vector<std::string> PluginSet::notReady() const {
    std::vector<std::string> problems;
    for (const auto& loaded : loaded_) {
        if (auto reason = loaded->context->notReadyReason()) {
            problems.push_back(loaded->name + ": " + *reason);
        }
    }
    return problems;
}

void PluginSet::stopAll() {
    while (!loaded_.empty()) {
        auto& loaded = loaded_.back();
        try {
            guarded("stop()", [&] { loaded->plugin->stop(); });
            log_->info("plugin stopped name={}", loaded->name);
        } catch (const LoadFailure& failure) {
            log_->error("plugin stop failed name={} reason=\"{}\"", loaded->name, failure.what());
        }
        routes_.removeOwner(loaded->name);
        loaded_.pop_back();
    }
}

}  // namespace valhalla::host::plugin
