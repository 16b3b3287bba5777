#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include <spdlog/logger.h>

#include "config/settings.hpp"
#include "database/database_pool.hpp"
#include "plugin/generation.hpp"
#include "plugin/plugin_set.hpp"
#include "process/stuck_watchdog.hpp"
#include "server/builtin_endpoints.hpp"
#include "server/connection/connection_server.hpp"
#include "server/host_status.hpp"
#include "server/request_dispatcher.hpp"
#include "server/route_table.hpp"
#include "shared/request_metrics.hpp"
#include "shared/shared_region.hpp"

namespace valhalla::host::process {

/// Start parameters of a worker.
struct WorkerOptions {
    /// Inherited listening socket; -1 makes the worker bind `server.host:port` itself.
    int listen_fd = -1;
    /// Generation folder prepared by the supervisor; empty makes the worker copy the
    /// plugin folder itself.
    std::string generation_directory;
    /// Whether any plugin that fails to load fails the start, as in a reload, where
    /// a new generation is all or nothing.
    bool strict = false;
    /// Shared-memory region inherited from the supervisor; -1 makes the worker create
    /// a private one.
    int region_fd = -1;
    /// Slot of this worker's counters in the region.
    int region_slot = 0;
    /// Called with the source path of each plugin file before it is loaded.
    std::function<void(const std::string&)> on_plugin_loading;
    /// Called with the load results, the JSON array of `plugins()`, once every plugin
    /// file was tried and before a strict start fails.
    std::function<void(const std::string&)> on_plugins_loaded;
};

/// One worker: the database pool, the plugins of one generation, and the HTTP
/// listener. Everything that creates threads, pools or loads plugin code happens in
/// `start`, so a worker can run in a process of its own after a fork and exec.
class Worker : public server::HostStatus {
public:
    Worker(const config::Settings& settings, WorkerOptions options);
    ~Worker() override;
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    /// Copies the plugins into a generation, creates the pool, loads and starts the
    /// plugins, then starts listening. Throws StartupError when the worker cannot
    /// serve as configured.
    void start();

    /// Stops listening and waits for running requests, stops plugins in reverse
    /// load order, then closes the pool and removes the generation folder.
    void stop();

    /// The port the listener bound.
    int port() const;

    Poco::JSON::Array::Ptr plugins() const override;
    Poco::JSON::Object::Ptr database(bool check_reachable) const override;

    bool serving() const override { return serving_.load(); }

    int generation() const override;
    std::vector<std::string> pluginsNotReady() const override;
    Poco::JSON::Object::Ptr supervisorRecord() const override;
    std::string metricsText() const override;

private:
    void attachRegion();
    void reportStuck(const std::vector<server::LongRequest>& stuck);
    void reportPlugins();
    void createGeneration();
    void startListener();
    void logConnectionBudget();
    void warnAboutUnclaimedSections();

    const config::Settings& settings_;
    WorkerOptions options_;
    std::shared_ptr<spdlog::logger> log_;
    std::optional<shared::SharedRegion> region_;
    std::unique_ptr<shared::RequestMetrics> metrics_;
    std::optional<plugin::Generation> generation_;
    std::unique_ptr<database::DatabasePool> database_;
    server::RouteTable routes_;
    std::unique_ptr<plugin::PluginSet> plugins_;
    std::unique_ptr<server::BuiltinEndpoints> builtins_;
    std::unique_ptr<server::RequestDispatcher> dispatcher_;
    std::unique_ptr<server::connection::ConnectionServer> listener_;
    std::unique_ptr<StuckWatchdog> watchdog_;
    std::atomic<bool> serving_{false};
};

}  // namespace valhalla::host::process
