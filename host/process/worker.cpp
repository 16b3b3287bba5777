#include "process/worker.hpp"

#include <set>
#include <sstream>

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include "logging/logging.hpp"
#include "process/crash_handler.hpp"
#include "process/startup_error.hpp"
#include "process/timestamps.hpp"
#include "server/connection/listen_socket.hpp"
#include "shared/prometheus_text.hpp"
#include <signal.h>
#include <unistd.h>

namespace valhalla::host::process {

namespace {

struct PoolCounts {
    std::uint64_t waits = 0;
    std::uint64_t exhausted = 0;
};

}  // namespace

Worker::Worker(const config::Settings& settings, WorkerOptions options)
    : settings_(settings), options_(std::move(options)), log_(logging::get("server")) {}

Worker::~Worker() {
    stop();
}

void Worker::start() {
    attachRegion();
    log_->info("open-files limit raised to the hard limit open_files={}",
               server::connection::raiseOpenFileLimit());
    createGeneration();
    database_ = std::make_unique<database::DatabasePool>(settings_);
    logConnectionBudget();

    plugins_ = std::make_unique<plugin::PluginSet>(settings_, routes_, *database_, *region_);
    plugins_->loadAll(*generation_, [this](const plugin::GenerationFile& file) {
        if (options_.on_plugin_loading) {
            options_.on_plugin_loading(file.source_path);
        }
    });
    reportPlugins();
    if (options_.strict) {
        for (const auto& result : plugins_->results()) {
            if (!result.loaded) {
                throw StartupError("plugin file " + result.source_path +
                                   " failed to load: " + result.error +
                                   "; a new generation loads only when every plugin does");
            }
        }
    }
    auto missing = plugins_->missingRequired();
    if (!missing.empty()) {
        std::string message;
        for (const auto& line : missing) {
            message += (message.empty() ? "" : "; ") + line;
        }
        throw StartupError(message + "; fix or remove it from plugins.required (PLUGINS_REQUIRED)");
    }

    warnAboutUnclaimedSections();
    // Set before the listener starts, so a worker that returns 200 for /healthz also
    // counts as serving in /readyz.
    serving_ = true;
    startListener();
    auto& slot = region_->layout().workers[options_.region_slot];
    watchdog_ = std::make_unique<StuckWatchdog>(
        settings_.handler_timeout,
        [this](const std::vector<server::LongRequest>& stuck) { reportStuck(stuck); },
        [this, &slot, published = PoolCounts{}]() mutable {
            slot.pool_size.store(static_cast<std::int64_t>(database_->poolSize()));
            slot.pool_in_use.store(static_cast<std::int64_t>(database_->inUse()));
            // The slot's counters outlive this worker, so they get the growth since the
            // last sample rather than this pool's totals.
            PoolCounts now{database_->acquireWaits(), database_->exhaustedCount()};
            slot.pool_acquire_waits.fetch_add(now.waits - published.waits);
            slot.pool_exhausted.fetch_add(now.exhausted - published.exhausted);
            published = now;
        });
    std::size_t loaded = 0;
    for (const auto& result : plugins_->results()) {
        loaded += result.loaded ? 1 : 0;
    }
    log_->info(
        "valhalla serving url={}://{}:{} threads={} plugins_loaded={} plugins_failed={} "
        "routes={} database={}",
        settings_.tls_certificate.empty() ? "http" : "https",
        settings_.host,
        listener_->port(),
        settings_.threads,
        loaded,
        plugins_->results().size() - loaded,
        routes_.routes().size(),
        database_->connector());
}

void Worker::stop() {
    serving_ = false;
    watchdog_.reset();
    if (listener_) {
        listener_->stop();
        listener_.reset();
    }
    if (plugins_) {
        plugins_->stopAll();
    }
    if (database_) {
        database_->shutdown();
    }
    generation_.reset();
}

int Worker::port() const {
    return listener_ ? listener_->port() : 0;
}

void Worker::warnAboutUnclaimedSections() {
    static const std::set<std::string> kHostKeys = {"directory", "shadow_directory", "required"};
    Poco::Util::AbstractConfiguration::Keys sections;
    settings_.merged->keys("plugins", sections);
    for (const auto& section : sections) {
        bool claimed = kHostKeys.count(section) > 0;
        for (const auto& result : plugins_->results()) {
            claimed = claimed || result.name == section;
        }
        if (!claimed) {
            log_->warn(
                "configuration section plugins.{} matches no plugin file; check the plugin name",
                section);
        }
    }
}

void Worker::attachRegion() {
    try {
        if (options_.region_fd >= 0) {
            region_.emplace(shared::SharedRegion::attach(options_.region_fd));
        } else {
            region_.emplace(shared::SharedRegion::create());
            options_.region_slot = 0;
        }
    } catch (const std::exception& error) {
        throw StartupError(error.what());
    }
    if (options_.region_slot < 0 || options_.region_slot >= shared::kWorkerSlots) {
        throw StartupError("worker slot " + std::to_string(options_.region_slot) +
                           " is outside the shared region's 0.." +
                           std::to_string(shared::kWorkerSlots - 1));
    }
    region_->layout().workers[options_.region_slot].pid = static_cast<std::int32_t>(::getpid());
    logging::setGeneration(generation());
    installCrashHandler(region_->layout().workers[options_.region_slot]);
    metrics_ = std::make_unique<shared::RequestMetrics>(*region_, options_.region_slot);
}

// A handler cannot be cancelled, so the worker requests a replacement from its
// supervisor. The
// supervisor starts a new worker, then drains this one and kills it after the drain
// timeout if the handler still runs.
void Worker::reportStuck(const std::vector<server::LongRequest>& stuck) {
    for (const auto& request : stuck) {
        log_->error(
            "handler exceeded server.handler_timeout {} elapsed_ms={} timeout_ms={}; this "
            "worker will be replaced",
            request.description,
            request.elapsed.count(),
            settings_.handler_timeout.count());
    }
    region_->layout().workers[options_.region_slot].stuck = 1;
    if (options_.region_fd >= 0) {
        ::kill(::getppid(), SIGUSR2);
    } else {
        log_->error("no supervisor runs this worker; restart valhalla to free the stuck thread");
    }
}

void Worker::reportPlugins() {
    if (!options_.on_plugins_loaded) {
        return;
    }
    std::ostringstream text;
    plugins()->stringify(text);
    options_.on_plugins_loaded(text.str());
}

int Worker::generation() const {
    return region_ ? region_->layout().workers[options_.region_slot].generation.load() : 0;
}

std::vector<std::string> Worker::pluginsNotReady() const {
    return plugins_ ? plugins_->notReady() : std::vector<std::string>{};
}

Poco::JSON::Object::Ptr Worker::supervisorRecord() const {
    if (!region_) {
        return nullptr;
    }
    std::string text = region_->readRecord();
    if (text.empty()) {
        return nullptr;
    }
    try {
        return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& error) {
        log_->error("the supervisor's record in shared memory is not valid JSON: {}",
                    error.displayText());
        return nullptr;
    }
}

std::string Worker::metricsText() const {
    return region_ ? shared::renderPrometheusText(region_->layout()) : std::string();
}

void Worker::createGeneration() {
    if (!options_.generation_directory.empty()) {
        try {
            generation_.emplace(plugin::Generation::adopt(options_.generation_directory));
        } catch (const std::exception& error) {
            throw StartupError(error.what());
        }
        return;
    }
    try {
        int removed = plugin::Generation::removeStale(settings_.shadow_directory);
        if (removed > 0) {
            log_->info("removed stale plugin generations count={} folder={}",
                       removed,
                       settings_.shadow_directory);
        }
        generation_.emplace(
            plugin::Generation::create(settings_.plugin_directory, settings_.shadow_directory));
    } catch (const std::exception& error) {
        throw StartupError(error.what());
    }
    log_->info("plugin generation created folder={} files={} source={}",
               generation_->directory(),
               generation_->files().size(),
               settings_.plugin_directory);
}

void Worker::startListener() {
    std::function<bool()> request_reload;
    if (!options_.generation_directory.empty()) {
        // A supervised worker: its parent is the supervisor, which reloads on SIGHUP.
        request_reload = [] { return ::kill(::getppid(), SIGHUP) == 0; };
    }
    builtins_ =
        std::make_unique<server::BuiltinEndpoints>(settings_, *this, std::move(request_reload));
    dispatcher_ =
        std::make_unique<server::RequestDispatcher>(settings_, routes_, *builtins_, metrics_.get());
    int listen_fd = options_.listen_fd;
    try {
        if (listen_fd < 0) {
            listen_fd = server::connection::openListenSocket(settings_.host, settings_.port);
        }
        listener_ = std::make_unique<server::connection::ConnectionServer>(
            settings_, new server::DispatcherFactory(*dispatcher_), listen_fd);
        listener_->setGauges(&region_->layout().workers[options_.region_slot]);
        listener_->start();
    } catch (const Poco::Exception& error) {
        throw StartupError("cannot listen on " + settings_.host + ":" +
                           std::to_string(settings_.port) + ": " + error.displayText() +
                           "; set FLASK_HOST and FLASK_PORT to a free local address");
    }
}

void Worker::logConnectionBudget() {
    std::size_t total = settings_.pool_size * static_cast<std::size_t>(settings_.workers);
    log_->info("database connection budget workers={} pool_size={} max_connections_opened={}",
               settings_.workers,
               settings_.pool_size,
               total);
    if (database_->connector() != "mysql") {
        return;
    }
    try {
        auto lease = database_->acquire();
        int max_connections = 0;
        lease.session() << "SELECT @@max_connections", Poco::Data::Keywords::into(max_connections),
            Poco::Data::Keywords::now;
        if (total > static_cast<std::size_t>(max_connections)) {
            log_->warn(
                "the pools can open more connections than the server allows "
                "max_connections_opened={} server_max_connections={}; lower MYSQL_POOL_SIZE or "
                "WORKERS",
                total,
                max_connections);
        }
    } catch (const std::exception&) {
        log_->warn(
            "database not reachable at start-up; routes that need it answer 503 until it is "
            "back target={}",
            database_->target());
    }
}

Poco::JSON::Array::Ptr Worker::plugins() const {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    if (!plugins_) {
        return array;
    }
    for (const auto& result : plugins_->results()) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("name", result.name);
        item->set("version", result.version);
        item->set("file", result.file_name);
        item->set("sha256", result.checksum);
        item->set("state", result.loaded ? "loaded" : "failed");
        item->set("load_time", iso8601(result.load_time));
        Poco::JSON::Array::Ptr routes = new Poco::JSON::Array;
        for (const auto& route : result.routes) {
            routes->add(route);
        }
        item->set("routes", routes);
        if (!result.loaded) {
            item->set("error", result.error);
        }
        array->add(item);
    }
    return array;
}

Poco::JSON::Object::Ptr Worker::database(bool check_reachable) const {
    Poco::JSON::Object::Ptr summary = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (!database_) {
        return summary;
    }
    summary->set("connector", database_->connector());
    summary->set("pool_size", database_->poolSize());
    summary->set("in_use", database_->inUse());
    if (check_reachable) {
        bool reachable = false;
        try {
            auto lease = database_->acquire();
            int one = 0;
            lease.session() << "SELECT 1", Poco::Data::Keywords::into(one),
                Poco::Data::Keywords::now;
            reachable = one == 1;
        } catch (const std::exception&) {
            reachable = false;
        }
        summary->set("reachable", reachable);
    }
    return summary;
}

}  // namespace valhalla::host::process
