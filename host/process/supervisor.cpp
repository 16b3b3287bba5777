#include "process/supervisor.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <thread>

#include <Poco/Exception.h>

#include "logging/logging.hpp"
#include "plugin/abi_descriptor_reader.hpp"
#include "process/worker_process.hpp"
#include "server/connection/listen_socket.hpp"
#include "tls/certificate_check.hpp"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

namespace valhalla::host::process {

namespace {

constexpr int kConfigExitCode = 78;
// Files in the plugin folder must stop changing for this long before a reload.
constexpr auto kQuietPeriod = std::chrono::milliseconds(1000);
// A new generation's workers must all report ready within this time.
constexpr auto kReadyTimeout = std::chrono::seconds(30);
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(30000);
// A worker that lived this long counts as healthy, so its slot's backoff resets.
constexpr auto kHealthyLifetime = std::chrono::seconds(30);

bool isWatchedPluginName(const char* name) {
    std::string_view file(name);
    return !file.empty() && file.front() != '.' && file.size() > 3 && file.ends_with(".so");
}

}  // namespace

Supervisor::Supervisor(config::Settings settings,
                       std::function<config::Settings()> load_settings,
                       std::string executable,
                       std::vector<std::string> worker_command)
    : settings_(std::move(settings)),
      load_settings_(std::move(load_settings)),
      executable_(std::move(executable)),
      worker_command_(std::move(worker_command)),
      log_(logging::get("supervisor")) {}

Supervisor::~Supervisor() {
    for (int fd : {listen_fd_, signal_fd_, inotify_fd_}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
}

int Supervisor::run() {
    try {
        listen_fd_ = server::connection::openListenSocket(settings_.host, settings_.port);
    } catch (const Poco::Exception& error) {
        log_->critical(
            "cannot listen on {}:{}: {}; set FLASK_HOST and FLASK_PORT to a free local address",
            settings_.host,
            settings_.port,
            error.displayText());
        return kConfigExitCode;
    }
    try {
        region_.emplace(shared::SharedRegion::create());
    } catch (const std::exception& error) {
        log_->critical("{}; check the memory limits of this process", error.what());
        return 1;
    }
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2}) {
        sigaddset(&signals, signal);
    }
    signal_fd_ = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    watchPluginFolder();

    int removed = plugin::Generation::removeStale(settings_.shadow_directory);
    if (removed > 0) {
        log_->info("removed stale plugin generations count={} folder={}",
                   removed,
                   settings_.shadow_directory);
    }
    int generation = createGeneration();
    if (generation == 0) {
        return kConfigExitCode;
    }
    serving_generation_ = generation;
    record_.setServingGeneration(generation);
    record_.setGenerationState(generation, "serving");
    region_->layout().serving_generation = generation;
    logging::setGeneration(generation);
    for (int slot = 0; slot < settings_.workers; ++slot) {
        startWorker(generation, slot, false);
    }
    log_->info("supervisor listening url={}://{}:{} workers={} generation={}",
               settings_.tls_certificate.empty() ? "http" : "https",
               settings_.host,
               server::connection::localPort(listen_fd_),
               settings_.workers,
               generation);

    int exit_code = 0;
    bool running = true;
    while (running) {
        std::vector<pollfd> fds{{signal_fd_, POLLIN, 0}};
        if (inotify_fd_ >= 0) {
            fds.push_back({inotify_fd_, POLLIN, 0});
        }
        for (const auto& [pid, worker] : workers_) {
            if (worker.ready_fd >= 0) {
                fds.push_back({worker.ready_fd, POLLIN, 0});
            }
        }
        int timeout = static_cast<int>(nextTimeout(Clock::now()).count());
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
            log_->critical("poll failed: {}", std::strerror(errno));
            exit_code = 1;
            break;
        }
        for (const auto& entry : fds) {
            if (entry.revents == 0) {
                continue;
            }
            if (entry.fd == signal_fd_) {
                handleSignals(running, exit_code);
            } else if (entry.fd == inotify_fd_) {
                drainPluginEvents();
            } else {
                readReadiness(entry.fd);
            }
        }
        auto now = Clock::now();
        if (running) {
            restartDueWorkers(now);
            checkReload(now);
            killOverdueWorkers(now);
        }
        publishRecord();
    }
    shutdown();
    return exit_code;
}

int Supervisor::createGeneration() {
    try {
        auto files = std::make_unique<plugin::Generation>(
            plugin::Generation::create(settings_.plugin_directory, settings_.shadow_directory));
        int id = next_generation_++;
        log_->info("plugin generation created generation={} folder={} files={} source={}",
                   id,
                   files->directory(),
                   files->files().size(),
                   settings_.plugin_directory);
        record_.addGeneration(id, files->directory(), "starting");
        record_changed_ = true;
        generations_[id].files = std::move(files);
        return id;
    } catch (const std::exception& error) {
        log_->critical("cannot prepare the plugins: {}", error.what());
        return 0;
    }
}

void Supervisor::startWorker(int generation, int slot, bool strict) {
    int region_slot = freeRegionSlot();
    if (region_slot < 0) {
        log_->error(
            "cannot start a worker generation={} slot={}: all {} shared-memory slots are "
            "taken; lower WORKERS",
            generation,
            slot,
            shared::kWorkerSlots);
        slots_[slot].restart_at = Clock::now() + kMaxBackoff;
        return;
    }
    std::vector<std::string> arguments = worker_command_;
    arguments.push_back("--worker-generation=" + generations_.at(generation).files->directory());
    arguments.push_back("--worker-slot=" + std::to_string(region_slot));
    if (strict) {
        arguments.push_back("--worker-strict");
    }
    try {
        auto& counters = region_->layout().workers[region_slot];
        counters.generation = generation;
        SpawnedWorker spawned = spawnWorker(executable_, arguments, listen_fd_, region_->fd());
        counters.pid = spawned.pid;
        WorkerRecord record;
        record.pid = spawned.pid;
        record.generation = generation;
        record.slot = slot;
        record.region_slot = region_slot;
        record.ready_fd = spawned.ready_fd;
        record.started = Clock::now();
        workers_[spawned.pid] = record;
        record_.setWorker(spawned.pid, generation, region_slot, "starting");
        record_changed_ = true;
        log_->info("worker started pid={} generation={} slot={}", spawned.pid, generation, slot);
    } catch (const std::exception& error) {
        log_->error(
            "cannot start a worker generation={} slot={}: {}", generation, slot, error.what());
        slots_[slot].restart_at = Clock::now() + kMaxBackoff;
    }
}

void Supervisor::handleSignals(bool& running, int& exit_code) {
    signalfd_siginfo info{};
    while (::read(signal_fd_, &info, sizeof(info)) == sizeof(info)) {
        switch (info.ssi_signo) {
            case SIGCHLD:
                reapWorkers(exit_code, running);
                break;
            case SIGHUP:
                // A worker forwards POST /admin/reload as SIGHUP.
                beginReload(workers_.count(static_cast<pid_t>(info.ssi_pid)) != 0
                                ? "POST /admin/reload on worker pid " + std::to_string(info.ssi_pid)
                                : std::string("SIGHUP"));
                break;
            case SIGUSR2:
                replaceStuckWorkers();
                break;
            case SIGUSR1:
                logging::reopen();
                for (const auto& [pid, worker] : workers_) {
                    ::kill(pid, SIGUSR1);
                }
                break;
            case SIGTERM:
            case SIGINT:
                log_->info("stop requested by {}; draining workers drain_timeout_ms={}",
                           ::strsignal(static_cast<int>(info.ssi_signo)),
                           settings_.drain_timeout.count());
                running = false;
                break;
            default:
                break;
        }
    }
}

void Supervisor::reapWorkers(int& exit_code, bool& running) {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        auto found = workers_.find(pid);
        if (found == workers_.end()) {
            continue;
        }
        WorkerRecord worker = found->second;
        workers_.erase(found);
        if (worker.ready_fd >= 0) {
            // SIGCHLD can arrive before the poll loop read the last lines, such as the
            // plugin file a crashed worker was loading. The writer is gone, so reading
            // ends at end of file.
            ::fcntl(worker.ready_fd, F_SETFL, O_NONBLOCK);
            while (worker.ready_fd >= 0 && readReport(worker)) {
            }
            if (worker.ready_fd >= 0) {
                ::close(worker.ready_fd);
            }
        }
        onWorkerExit(worker, status, exit_code, running);
    }
}

void Supervisor::onWorkerExit(const WorkerRecord& worker,
                              int status,
                              int& exit_code,
                              bool& running) {
    std::string crash_note = takeCrashNote(worker.region_slot);
    auto& counters = region_->layout().workers[worker.region_slot];
    counters.pid = 0;
    counters.stuck = 0;
    for (auto* gauge : {&counters.in_flight,
                        &counters.connections_open,
                        &counters.connections_idle,
                        &counters.queue_length,
                        &counters.pool_size,
                        &counters.pool_in_use}) {
        gauge->store(0);
    }
    record_.removeWorker(worker.pid);
    record_changed_ = true;
    std::string how = describeExit(status);
    if (!worker.ready && !worker.loading.empty()) {
        how += " while loading plugin file " + worker.loading;
    }
    if (!crash_note.empty()) {
        how += " in a plugin handler " + crash_note;
    }
    if (worker.kill_at) {
        log_->info("stuck worker ended pid={} {} generation={}; its replacement serves",
                   worker.pid,
                   how,
                   worker.generation);
    } else if (worker.generation == candidate_generation_) {
        failReload("worker pid " + std::to_string(worker.pid) +
                   " of the new generation ended with " + how + " before it was ready");
    } else if (worker.generation == serving_generation_) {
        bool config_failure = WIFEXITED(status) && WEXITSTATUS(status) == kConfigExitCode;
        if (config_failure && !worker.ready) {
            log_->critical(
                "worker pid={} failed at start-up because of its configuration ({}); stopping",
                worker.pid,
                how);
            exit_code = kConfigExitCode;
            running = false;
        } else {
            ++region_->layout().worker_restarts;
            auto& slot = slots_[worker.slot];
            if (Clock::now() - worker.started > kHealthyLifetime) {
                slot.failures = 0;
            }
            auto delay = std::min(kMaxBackoff, kFirstBackoff * (1 << std::min(slot.failures, 10)));
            ++slot.failures;
            slot.restart_at = Clock::now() + delay;
            log_->error("worker died pid={} {} generation={} slot={}; restarting in {} ms",
                        worker.pid,
                        how,
                        worker.generation,
                        worker.slot,
                        delay.count());
        }
    } else {
        log_->info("worker exited pid={} {} generation={}", worker.pid, how, worker.generation);
    }
    if (workersOf(worker.generation) == 0 && worker.generation != serving_generation_ &&
        worker.generation != candidate_generation_) {
        releaseGeneration(worker.generation);
    }
}

void Supervisor::readReadiness(int fd) {
    auto found = std::find_if(workers_.begin(), workers_.end(), [fd](const auto& entry) {
        return entry.second.ready_fd == fd;
    });
    if (found != workers_.end()) {
        readReport(found->second);
    }
}

// Reads the worker's start-up report once: a line "L<path>" before each plugin file
// it loads, a line "P<JSON array>" with the load results, then "R" once it serves.
// Returns false at the end of the report or when the worker closed the pipe.
bool Supervisor::readReport(WorkerRecord& worker) {
    char buffer[4096];
    ssize_t count = ::read(worker.ready_fd, buffer, sizeof(buffer));
    if (count <= 0) {
        if (count < 0 && (errno == EAGAIN || errno == EINTR)) {
            return false;
        }
        ::close(worker.ready_fd);
        worker.ready_fd = -1;
        return false;  // The worker is exiting; SIGCHLD reports how.
    }

    worker.pending.append(buffer, static_cast<std::size_t>(count));
    std::size_t newline;
    while ((newline = worker.pending.find('\n')) != std::string::npos) {
        std::string line = worker.pending.substr(0, newline);
        worker.pending.erase(0, newline + 1);
        handleReportLine(worker, line);
    }

    if (worker.pending == "R") {
        ::close(worker.ready_fd);
        worker.ready_fd = -1;
        markReady(worker);
        return false;
    }
    return true;
}

// Records a ready worker and promotes the new generation once all its workers are.
void Supervisor::markReady(WorkerRecord& worker) {
    worker.ready = true;
    record_.setWorker(worker.pid, worker.generation, worker.region_slot, "ready");
    record_changed_ = true;
    log_->info("worker ready pid={} generation={}", worker.pid, worker.generation);
    if (worker.generation != candidate_generation_) {
        return;
    }
    bool all_ready = std::all_of(workers_.begin(), workers_.end(), [this](const auto& entry) {
        return entry.second.generation != candidate_generation_ || entry.second.ready;
    });
    if (all_ready) {
        promoteCandidate();
    }
}

void Supervisor::checkReload(Clock::time_point now) {
    if (candidate_generation_ != 0 && now >= candidate_deadline_) {
        failReload("the new generation's workers did not report ready within " +
                   std::to_string(kReadyTimeout.count()) + " s");
    }
    if (reload_at_ && now >= *reload_at_) {
        reload_at_.reset();
        beginReload("a change in the plugin folder");
    }
    if (reload_requested_ && candidate_generation_ == 0) {
        reload_requested_ = false;
        beginReload("a reload requested while another was running");
    }
}

void Supervisor::beginReload(const std::string& reason) {
    if (candidate_generation_ != 0) {
        reload_requested_ = true;
        return;
    }
    log_->info("reload started by {}", reason);
    try {
        config::Settings fresh = load_settings_();
        tls::checkCertificateFiles(fresh);
        if (fresh.host != settings_.host || fresh.port != settings_.port) {
            log_->warn(
                "server.host and server.port do not change on reload; restart valhalla to move it");
        }
        fresh.host = settings_.host;
        fresh.port = settings_.port;
        settings_ = std::move(fresh);
    } catch (const std::exception& error) {
        log_->error("reload rejected: invalid settings: {}; the serving generation stays",
                    error.what());
        ++region_->layout().reloads_failed;
        record_.addReloadFailure(0, std::string("invalid settings: ") + error.what());
        record_changed_ = true;
        return;
    }
    int generation = createGeneration();
    if (generation == 0) {
        log_->error("reload rejected; the serving generation stays");
        return;
    }
    auto problems = precheckGeneration(*generations_.at(generation).files);
    if (!problems.empty()) {
        std::string reasons;
        for (const auto& problem : problems) {
            log_->error(
                "reload rejected: {}; the serving generation stays, and every reload is "
                "rejected until the file is fixed or removed from the plugin folder",
                problem);
            reasons += (reasons.empty() ? "" : "; ") + problem;
        }
        ++region_->layout().reloads_failed;
        region_->layout().plugin_load_failures += problems.size();
        record_.addReloadFailure(generation, reasons);
        releaseGeneration(generation);
        return;
    }
    candidate_generation_ = generation;
    record_.setGenerationState(generation, "candidate");
    candidate_deadline_ = Clock::now() + kReadyTimeout;
    for (int slot = 0; slot < settings_.workers; ++slot) {
        startWorker(generation, slot, true);
    }
}

std::vector<std::string> Supervisor::precheckGeneration(
    const plugin::Generation& generation) const {
    std::vector<std::string> problems;
    std::set<std::string> names;
    for (const auto& file : generation.files()) {
        try {
            auto descriptor = plugin::readAbiDescriptor(file.copy_path);
            auto mismatches = plugin::abiMismatches(descriptor, plugin::hostAbiDescriptor());
            for (const auto& mismatch : mismatches) {
                problems.push_back("plugin file " + file.source_path +
                                   " has an incompatible build: " + mismatch);
            }
            if (!names.insert(descriptor.name).second) {
                problems.push_back("plugin file " + file.source_path +
                                   " repeats the plugin name '" + std::string(descriptor.name) +
                                   "'");
            }
        } catch (const plugin::AbiReadError& error) {
            problems.push_back("plugin file " + file.source_path +
                               " is not a valhalla plugin: " + error.what());
        }
    }
    return problems;
}

void Supervisor::failReload(const std::string& reason) {
    int generation = candidate_generation_;
    candidate_generation_ = 0;
    log_->error("reload failed: {}; the serving generation {} stays", reason, serving_generation_);
    ++region_->layout().reloads_failed;
    record_.setGenerationState(generation, "failed");
    record_.addReloadFailure(generation, reason);
    record_changed_ = true;
    signalGeneration(generation, SIGKILL);
    if (workersOf(generation) == 0) {
        releaseGeneration(generation);
    }
}

void Supervisor::promoteCandidate() {
    int old_generation = serving_generation_;
    serving_generation_ = candidate_generation_;
    candidate_generation_ = 0;
    slots_.clear();
    region_->layout().serving_generation = serving_generation_;
    logging::setGeneration(serving_generation_);
    record_.setServingGeneration(serving_generation_);
    record_.setGenerationState(serving_generation_, "serving");
    record_.setGenerationState(old_generation, "draining");
    for (const auto& [pid, worker] : workers_) {
        if (worker.generation == old_generation) {
            record_.setWorker(pid, worker.generation, worker.region_slot, "draining");
        }
    }
    record_changed_ = true;
    log_->info("reload complete generation={}; draining generation {}",
               serving_generation_,
               old_generation);
    signalGeneration(old_generation, SIGTERM);
    if (workersOf(old_generation) == 0) {
        releaseGeneration(old_generation);
    }
}

void Supervisor::restartDueWorkers(Clock::time_point now) {
    for (auto& [slot, state] : slots_) {
        if (state.restart_at && now >= *state.restart_at) {
            state.restart_at.reset();
            startWorker(serving_generation_, slot, false);
        }
    }
}

void Supervisor::signalGeneration(int generation, int signal) {
    for (const auto& [pid, worker] : workers_) {
        if (worker.generation == generation) {
            ::kill(pid, signal);
        }
    }
}

int Supervisor::workersOf(int generation) const {
    return static_cast<int>(
        std::count_if(workers_.begin(), workers_.end(), [generation](const auto& entry) {
            return entry.second.generation == generation;
        }));
}

void Supervisor::releaseGeneration(int generation) {
    auto found = generations_.find(generation);
    if (found == generations_.end()) {
        return;
    }
    log_->info("plugin generation removed generation={} folder={}",
               generation,
               found->second.files->directory());
    generations_.erase(found);
    record_.removeGeneration(generation);
    record_changed_ = true;
}

std::chrono::milliseconds Supervisor::nextTimeout(Clock::time_point now) const {
    auto next = now + std::chrono::milliseconds(1000);
    for (const auto& [slot, state] : slots_) {
        if (state.restart_at) {
            next = std::min(next, *state.restart_at);
        }
    }
    if (reload_at_) {
        next = std::min(next, *reload_at_);
    }
    for (const auto& [pid, worker] : workers_) {
        if (worker.kill_at) {
            next = std::min(next, *worker.kill_at);
        }
    }
    if (candidate_generation_ != 0) {
        next = std::min(next, candidate_deadline_);
    }
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(next - now));
}

void Supervisor::watchPluginFolder() {
    inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd_ < 0) {
        log_->warn("cannot watch the plugin folder: {}; use SIGHUP to reload",
                   std::strerror(errno));
        return;
    }
    uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE |
                    IN_MODIFY | IN_ATTRIB;
    if (::inotify_add_watch(inotify_fd_, settings_.plugin_directory.c_str(), mask) < 0) {
        log_->warn("cannot watch the plugin folder {}: {}; use SIGHUP to reload",
                   settings_.plugin_directory,
                   std::strerror(errno));
        ::close(inotify_fd_);
        inotify_fd_ = -1;
    }
}

void Supervisor::drainPluginEvents() {
    alignas(inotify_event) char buffer[8192];
    bool relevant = false;
    ssize_t length;
    while ((length = ::read(inotify_fd_, buffer, sizeof(buffer))) > 0) {
        for (char* cursor = buffer; cursor < buffer + length;) {
            auto* event = reinterpret_cast<inotify_event*>(cursor);
            if (event->len > 0 && isWatchedPluginName(event->name)) {
                relevant = true;
            }
            cursor += sizeof(inotify_event) + event->len;
        }
    }
    if (relevant) {
        // Every change pushes the reload back, so a file still being written is not
        // copied half-way.
        reload_at_ = Clock::now() + kQuietPeriod;
    }
}

void Supervisor::shutdown() {
    region_->layout().stopping = 1;
    record_.setStopping();
    record_changed_ = true;
    publishRecord();
    for (const auto& [pid, worker] : workers_) {
        ::kill(pid, SIGTERM);
    }
    auto deadline = Clock::now() + settings_.drain_timeout + std::chrono::seconds(1);
    while (!workers_.empty() && Clock::now() < deadline) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            auto found = workers_.find(pid);
            if (found != workers_.end()) {
                log_->info("worker stopped pid={} {}", pid, describeExit(status));
                if (found->second.ready_fd >= 0) {
                    ::close(found->second.ready_fd);
                }
                workers_.erase(found);
            }
            continue;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const auto& [pid, worker] : workers_) {
        log_->warn("worker did not stop within the drain timeout; killing pid={}", pid);
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    workers_.clear();
    generations_.clear();
    log_->info("supervisor stopped");
}

int Supervisor::freeRegionSlot() const {
    std::set<int> taken;
    for (const auto& [pid, worker] : workers_) {
        taken.insert(worker.region_slot);
    }
    for (int slot = 0; slot < shared::kWorkerSlots; ++slot) {
        if (taken.count(slot) == 0) {
            return slot;
        }
    }
    return -1;
}

void Supervisor::handleReportLine(WorkerRecord& worker, const std::string& line) {
    if (line.starts_with("L")) {
        worker.loading = line.substr(1);
    } else if (line.starts_with("P")) {
        int failed = record_.setPluginReport(worker.generation, line.substr(1));
        if (failed > 0) {
            region_->layout().plugin_load_failures += static_cast<std::uint64_t>(failed);
        }
        // Every file loaded, so a later exit, such as a required plugin being absent,
        // is not the last file's fault.
        if (failed == 0) {
            worker.loading.clear();
        }
        record_changed_ = record_changed_ || failed >= 0;
    }
}

void Supervisor::publishRecord() {
    if (!record_changed_ || !region_) {
        return;
    }
    record_changed_ = false;
    region_->publishRecord(record_.render(shared::kRecordCapacity));
}

// Starts a replacement for every worker that reported a stuck handler, then drains
// the stuck one. A handler cannot be cancelled, so the stuck worker is killed at the
// drain timeout if it has not exited by then.
void Supervisor::replaceStuckWorkers() {
    std::vector<WorkerRecord*> stuck;
    for (auto& [pid, worker] : workers_) {
        if (!worker.kill_at && region_->layout().workers[worker.region_slot].stuck.load() != 0) {
            stuck.push_back(&worker);
        }
    }
    for (WorkerRecord* worker : stuck) {
        worker->kill_at = Clock::now() + settings_.drain_timeout + std::chrono::seconds(1);
        log_->error(
            "worker stuck pid={} generation={} slot={}: a handler exceeded "
            "server.handler_timeout; starting a replacement and draining it",
            worker->pid,
            worker->generation,
            worker->slot);
        record_.setWorker(worker->pid, worker->generation, worker->region_slot, "stuck");
        record_changed_ = true;
        // Inserting into the std::map keeps `worker` valid.
        if (worker->generation == serving_generation_) {
            startWorker(worker->generation, worker->slot, false);
        }
        ::kill(worker->pid, SIGTERM);
    }
}

void Supervisor::killOverdueWorkers(Clock::time_point now) {
    for (auto& [pid, worker] : workers_) {
        if (worker.kill_at && now >= *worker.kill_at) {
            log_->warn("stuck worker did not stop within the drain timeout; killing pid={}", pid);
            ::kill(pid, SIGKILL);
            worker.kill_at = Clock::time_point::max();
        }
    }
}

std::string Supervisor::takeCrashNote(int region_slot) {
    auto& slot = region_->layout().workers[region_slot];
    std::size_t length =
        std::min<std::size_t>(slot.crash_note_length.exchange(0), sizeof(slot.crash_note));
    return std::string(slot.crash_note, length);
}

}  // namespace valhalla::host::process
