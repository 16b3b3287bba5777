#pragma once

#include <stdexcept>

namespace valhalla::host::process {

/// Failure to start a worker because of its configuration: invalid settings, a
/// plugin folder that cannot be read, a required plugin that failed, or an address
/// that cannot be bound. The process exits with the configuration exit code (78), so
/// a supervisor must not restart it.
class StartupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace valhalla::host::process
