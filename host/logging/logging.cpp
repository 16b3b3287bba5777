#include "logging/logging.hpp"

#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

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

const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%eZ %l [%n] pid=%P %v";

// `%j` is the message escaped as the inside of a JSON string.
const char* kJsonPattern =
    R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","pid":%P,"msg":"%j"})";

/// Writes the log message escaped for a JSON string: quotes, backslashes and
/// control characters.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message,
                const std::tm&,
                spdlog::memory_buf_t& destination) override {
        static constexpr char kHex[] = "0123456789abcdef";
        for (char c : message.payload) {
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

    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JsonEscapedMessage>();
    }
};

std::unique_ptr<spdlog::formatter> makeFormatter(const std::string& format) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonEscapedMessage>('j');
    formatter->set_pattern(format == "json" ? kJsonPattern : kTextPattern);
    return formatter;
}

}  // namespace

void configure(const std::string& level, const std::string& format, const std::string& file) {
    std::lock_guard lock(sinkMutex());
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
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) {
        logger->sinks() = {sink};
        logger->set_level(spdlog::level::from_str(level));
    });
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
