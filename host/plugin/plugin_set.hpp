#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include <valhalla/sdk/database.hpp>

#include "config/settings.hpp"
#include "plugin/generation.hpp"
#include "server/route_table.hpp"
#include "shared/shared_region.hpp"

namespace valhalla::host::plugin {

/// Outcome of loading one plugin file.
struct LoadResult {
    std::string file_name;
    std::string source_path;
    std::string checksum;
    /// Name and version from the descriptor; empty when it could not be read.
    std::string name;
    std::string version;
    bool loaded = false;
    /// Reason the file was skipped; empty when loaded.
    std::string error;
    /// Routes as "METHOD pattern".
    std::vector<std::string> routes;
    std::chrono::system_clock::time_point load_time;
};

/// The plugins of one worker: loads a generation's files in order, starts them,
/// and stops them in reverse order.
class PluginSet {
public:
    PluginSet(const config::Settings& settings,
              server::RouteTable& routes,
              sdk::Database& database,
              shared::SharedRegion& region);
    ~PluginSet();
    PluginSet(const PluginSet&) = delete;
    PluginSet& operator=(const PluginSet&) = delete;

    /// Loads and starts every file of `generation`, calling `before_each` with each
    /// file before any of its code runs, so a crash can be traced to the file. A file that fails is
    /// logged and recorded in results(); the method does not throw for it.
    void loadAll(const Generation& generation,
                 const std::function<void(const GenerationFile&)>& before_each = {});

    /// One line per plugin of `plugins.required` that did not load, with the
    /// reasons; empty when all loaded.
    std::vector<std::string> missingRequired() const;

    /// Runs the readiness check of every started plugin. Returns one line per plugin
    /// that is not ready, "<name>: <reason>"; empty when all are ready. Thread-safe
    /// while no plugin loads or stops.
    std::vector<std::string> notReady() const;

    /// Stops started plugins in reverse load order and removes their routes.
    void stopAll();

    /// Load results in load order, failures included.
    const std::vector<LoadResult>& results() const { return results_; }

private:
    struct Loaded;

    void loadOne(const GenerationFile& file, LoadResult& result);

    const config::Settings& settings_;
    server::RouteTable& routes_;
    sdk::Database& database_;
    shared::SharedRegion& region_;
    std::shared_ptr<spdlog::logger> log_;
    std::vector<LoadResult> results_;
    std::vector<std::unique_ptr<Loaded>> loaded_;
};

}  // namespace valhalla::host::plugin
