#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace valhalla::host::server {

/// Marks the plugin handler that runs on the calling thread, from construction to
/// destruction, so a crash handler can name it and a watchdog can find handlers
/// that run too long. Construction and destruction take no lock after the thread's
/// first request.
class CurrentRequest {
public:
    CurrentRequest(std::string_view plugin, std::string_view route, std::string_view request_id);
    ~CurrentRequest();
    CurrentRequest(const CurrentRequest&) = delete;
    CurrentRequest& operator=(const CurrentRequest&) = delete;
};

/// Copies "plugin=<p> route=<r> request_id=<id>" of the handler running on the calling
/// thread into `buffer` and returns its length, or 0 when no handler runs.
/// Async-signal-safe, for crash handlers.
std::size_t describeCurrentRequest(char* buffer, std::size_t size);

/// A handler that has run longer than a limit.
struct LongRequest {
    std::string description;
    std::chrono::milliseconds elapsed;
};

/// Returns the handlers, on any thread, that started more than `limit` ago.
std::vector<LongRequest> requestsRunningLongerThan(std::chrono::milliseconds limit);

}  // namespace valhalla::host::server
