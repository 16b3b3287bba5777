#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

namespace valhalla::host::process {

/// Descriptor numbers at which a worker process finds what the supervisor passes.
inline constexpr int kWorkerListenFd = 3;
inline constexpr int kWorkerReadyFd = 4;
inline constexpr int kWorkerRegionFd = 5;

/// A started worker process and the read end of its readiness pipe.
struct SpawnedWorker {
    pid_t pid = -1;
    int ready_fd = -1;
};

/// Starts a worker: fork, then in the child an immediate exec of `executable` with
/// `arguments` (argv[0] included), the listening socket at descriptor 3, the write
/// end of a readiness pipe at descriptor 4 and the shared-memory region at
/// descriptor 5. The child gets SIGTERM when the supervisor dies and starts with an
/// empty signal mask. Throws std::runtime_error when fork or pipe fails.
SpawnedWorker spawnWorker(const std::string& executable,
                          const std::vector<std::string>& arguments,
                          int listen_fd,
                          int region_fd);

/// Describes a wait status for logs: "exit status 3" or "signal 9 (Killed)".
std::string describeExit(int status);

}  // namespace valhalla::host::process
