#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "config/settings.hpp"
#include "plugin/generation.hpp"
#include "process/state_record.hpp"
#include "shared/shared_region.hpp"
#include <sys/types.h>

namespace valhalla::host::process {

/// The `valhalla` process: binds the listening socket, prepares plugin
/// generations, and runs `server.workers` worker processes on them.
///
/// It never loads plugin code and opens no database connection. SIGTERM and SIGINT
/// drain the workers and exit 0. SIGHUP, or files in the plugin folder that have
/// stopped changing, start a reload: a new generation with its own workers, which
/// replace the old ones only when every one of them reports ready. A worker that
/// dies is replaced from the serving generation with exponential backoff.
class Supervisor {
public:
    /// `load_settings` reads the settings again on each reload. `worker_command` is
    /// the executable and the arguments (argv[0] first) that start this binary,
    /// before the worker options are appended.
    Supervisor(config::Settings settings,
               std::function<config::Settings()> load_settings,
               std::string executable,
               std::vector<std::string> worker_command);
    ~Supervisor();

    /// Runs until SIGTERM or SIGINT, or until a worker fails at start-up because of
    /// its configuration. Returns the process exit code.
    int run();

private:
    using Clock = std::chrono::steady_clock;

    struct WorkerRecord {
        pid_t pid = -1;
        int generation = 0;
        int slot = 0;
        /// Index of the worker's counters in the shared region.
        int region_slot = 0;
        int ready_fd = -1;
        bool ready = false;
        Clock::time_point started;
        /// Bytes read from the readiness pipe that do not form a whole line yet.
        std::string pending;
        /// Plugin file the worker reported it was loading last.
        std::string loading;
        /// Set once a replacement was started for this worker because it reported a
        /// stuck handler; it is killed at this time unless it exits first.
        std::optional<Clock::time_point> kill_at;
    };

    struct GenerationRecord {
        std::unique_ptr<plugin::Generation> files;
    };

    struct SlotState {
        int failures = 0;
        std::optional<Clock::time_point> restart_at;
    };

    bool startGeneration(int generation, bool strict);
    void startWorker(int generation, int slot, bool strict);
    void handleSignals(bool& running, int& exit_code);
    void reapWorkers(int& exit_code, bool& running);
    void onWorkerExit(const WorkerRecord& worker, int status, int& exit_code, bool& running);
    void readReadiness(int fd);
    bool readReport(WorkerRecord& worker);
    void markReady(WorkerRecord& worker);
    void checkReload(Clock::time_point now);
    void beginReload(const std::string& reason);
    void failReload(const std::string& reason);
    void promoteCandidate();
    void restartDueWorkers(Clock::time_point now);
    void signalGeneration(int generation, int signal);
    void releaseGeneration(int generation);
    int workersOf(int generation) const;
    void shutdown();
    int createGeneration();
    std::vector<std::string> precheckGeneration(const plugin::Generation& generation) const;
    std::chrono::milliseconds nextTimeout(Clock::time_point now) const;
    void watchPluginFolder();
    void drainPluginEvents();
    int freeRegionSlot() const;
    void handleReportLine(WorkerRecord& worker, const std::string& line);
    void publishRecord();
    void replaceStuckWorkers();
    void killOverdueWorkers(Clock::time_point now);
    std::string takeCrashNote(int region_slot);

    config::Settings settings_;
    std::function<config::Settings()> load_settings_;
    std::string executable_;
    std::vector<std::string> worker_command_;
    std::shared_ptr<spdlog::logger> log_;
    int listen_fd_ = -1;
    int signal_fd_ = -1;
    int inotify_fd_ = -1;
    int next_generation_ = 1;
    int serving_generation_ = 0;
    int candidate_generation_ = 0;
    bool candidate_strict_ = false;
    Clock::time_point candidate_deadline_{};
    std::optional<Clock::time_point> reload_at_;
    bool reload_requested_ = false;
    std::map<pid_t, WorkerRecord> workers_;
    std::map<int, GenerationRecord> generations_;
    std::map<int, SlotState> slots_;
    std::optional<shared::SharedRegion> region_;
    StateRecord record_;
    bool record_changed_ = true;
};

}  // namespace valhalla::host::process
