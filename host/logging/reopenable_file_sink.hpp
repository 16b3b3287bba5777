#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>

namespace valhalla::host::logging {

/// A sink that appends to a file and can reopen it, so log rotation tools can move
/// the file and signal the process (SIGUSR1) to continue in a new one.
class ReopenableFileSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    /// Opens `path` for appending. Throws std::runtime_error naming the path when it
    /// cannot be opened.
    explicit ReopenableFileSink(std::string path);
    ~ReopenableFileSink() override;

    /// Closes and opens the file again by name. Keeps the old file when the new one
    /// cannot be opened and returns false.
    bool reopen();

protected:
    void sink_it_(const spdlog::details::log_msg& message) override;
    void flush_() override;

private:
    std::string path_;
    std::FILE* file_ = nullptr;
};

}  // namespace valhalla::host::logging
