#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <valhalla/sdk/sdk.hpp>

namespace {

/// Runs a background thread that ticks every 10 ms until `stop`, which joins it and
/// logs "ticker stopped ticks=N", as a plugin with a worker thread must.
class TickerPlugin : public valhalla::sdk::Plugin {
public:
    void start(valhalla::sdk::PluginContext& context) override {
        logger_ = context.logger();
        thread_ = std::thread([this] { tick(); });
        logger_->info("ticker started");
    }

    void stop() override {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) {
            thread_.join();
        }
        logger_->info("ticker stopped ticks={}", ticks_);
    }

private:
    void tick() {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, std::chrono::milliseconds(10), [this] { return stopping_; })) {
            ++ticks_;
        }
    }

    std::shared_ptr<spdlog::logger> logger_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    long ticks_ = 0;
    std::thread thread_;
};

}  // namespace

VALHALLA_PLUGIN(TickerPlugin, "ticker", "1.0.0")
