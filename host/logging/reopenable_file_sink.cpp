#include "logging/reopenable_file_sink.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace valhalla::host::logging {

ReopenableFileSink::ReopenableFileSink(std::string path) : path_(std::move(path)) {
    file_ = std::fopen(path_.c_str(), "ae");
    if (file_ == nullptr) {
        throw std::runtime_error("cannot open log file " + path_ + ": " + std::strerror(errno) +
                                 "; set logging.file (LOG_FILE) to a writable path");
    }
}

ReopenableFileSink::~ReopenableFileSink() {
    if (file_ != nullptr) {
        std::fclose(file_);
    }
}

bool ReopenableFileSink::reopen() {
    std::lock_guard lock(mutex_);
    std::FILE* fresh = std::fopen(path_.c_str(), "ae");
    if (fresh == nullptr) {
        return false;
    }
    std::fclose(file_);
    file_ = fresh;
    return true;
}

void ReopenableFileSink::sink_it_(const spdlog::details::log_msg& message) {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), file_);
}

void ReopenableFileSink::flush_() {
    std::fflush(file_);
}

}  // namespace valhalla::host::logging
