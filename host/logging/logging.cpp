#include "logging/logging.hpp"

#include <atomic>
#include <mutex>
#include <string_view>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "logging/poco_channel.hpp"
#include "logging/reopenable_file_sink.hpp"

namespace valhalla::host::logging {

namespace {

std::mutex& sinkMutex() {
    static std::mutex mutex;
    return mutex;
}

std::shared_ptr<ReopenableFileSink>& fileSink() {
    static std::shared_ptr<ReopenableFileSink> sink;
    return sink;
}

spdlog::sink_ptr& sharedSink() {
    static spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    return sink;
}

std::atomic<int> current_generation{0};
std::atomic<bool> json_format{false};

const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%eZ %l [%n] pid=%P generation=%G %v";

// `%J` is the message as JSON fields.
const char* kJsonPattern =
    R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","pid":%P,"generation":%G,%J})";

void appendJsonEscaped(std::string_view text, spdlog::memory_buf_t& destination) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            destination.push_back('\\');
            destination.push_back(c);
        } else if (byte < 0x20) {
            const char escaped[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
            destination.append(escaped, escaped + sizeof(escaped));
        } else {
            destination.push_back(c);
        }
    }
}

/// Writes the message as JSON fields: the `access` logger's message as it is, because
/// its caller already wrote `"key":value` pairs, and any other as `"msg":"..."` with
/// quotes, backslashes and control characters escaped.
class JsonMessageFields : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message,
                const std::tm&,
                spdlog::memory_buf_t& destination) override {
        std::string_view payload(message.payload.data(), message.payload.size());
        if (std::string_view(message.logger_name.data(), message.logger_name.size()) == "access") {
            destination.append(payload.data(), payload.data() + payload.size());
            return;
        }
        static constexpr std::string_view kKey = R"("msg":")";
        destination.append(kKey.data(), kKey.data() + kKey.size());
        appendJsonEscaped(payload, destination);
        destination.push_back('"');
    }

    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JsonMessageFields>();
    }
};

/// Writes the generation set by setGeneration: a number in JSON, `-` in text before
/// the first one.
class GenerationFlag : public spdlog::custom_flag_formatter {
public:
    explicit GenerationFlag(bool json) : json_(json) {}

    void format(const spdlog::details::log_msg&,
                const std::tm&,
                spdlog::memory_buf_t& destination) override {
        int generation = current_generation.load(std::memory_order_relaxed);
        if (generation == 0 && !json_) {
            destination.push_back('-');
            return;
        }
        fmt::format_to(std::back_inserter(destination), "{}", generation);
    }

    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<GenerationFlag>(json_);
    }

private:
    bool json_;
};

std::unique_ptr<spdlog::formatter> makeFormatter(const std::string& format) {
    bool json = format == "json";
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFields>('J');
    formatter->add_flag<GenerationFlag>('G', json);
    formatter->set_pattern(json ? kJsonPattern : kTextPattern);
    return formatter;
}

}  // namespace

void configure(const std::string& level, const std::string& format, const std::string& file) {
    std::lock_guard lock(sinkMutex());
    json_format = format == "json";
    auto& sink = sharedSink();
    if (!file.empty()) {
        fileSink() = std::make_shared<ReopenableFileSink>(file);
        sink = fileSink();
    }
    sink->set_formatter(makeFormatter(format));
    spdlog::set_level(spdlog::level::from_str(level));
    spdlog::flush_on(spdlog::level::trace);
    auto fallback = std::make_shared<spdlog::logger>("valhalla", sink);
    spdlog::set_default_logger(fallback);
    routePocoLogging();
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) {
        logger->sinks() = {sink};
        logger->set_level(spdlog::level::from_str(level));
    });
}

void setGeneration(int generation) {
    current_generation.store(generation, std::memory_order_relaxed);
}

std::string jsonEscape(std::string_view text) {
    spdlog::memory_buf_t buffer;
    appendJsonEscaped(text, buffer);
    return std::string(buffer.data(), buffer.size());
}

bool jsonFormat() {
    return json_format.load(std::memory_order_relaxed);
}

bool reopen() {
    std::shared_ptr<ReopenableFileSink> sink;
    {
        std::lock_guard lock(sinkMutex());
        sink = fileSink();
    }
    return sink && sink->reopen();
}

std::shared_ptr<spdlog::logger> get(const std::string& name) {
    std::lock_guard lock(sinkMutex());
    if (auto existing = spdlog::get(name)) {
        return existing;
    }
    auto logger = std::make_shared<spdlog::logger>(name, sharedSink());
    logger->set_level(spdlog::get_level());
    logger->flush_on(spdlog::level::trace);
    spdlog::register_logger(logger);
    return logger;
}

}  // namespace valhalla::host::logging
