#include "process/worker_process.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace valhalla::host::process {

namespace {

// Runs in the child between fork and exec, so it only makes async-signal-safe calls.
[[noreturn]] void execWorker(const std::string& executable,
                             const std::vector<char*>& argv,
                             int listen_fd,
                             int ready_fd,
                             int region_fd,
                             pid_t supervisor) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != supervisor) {
        ::_exit(1);
    }
    // Move the descriptors above the targets first, so one dup2 cannot overwrite
    // another's source.
    int listen_copy = ::fcntl(listen_fd, F_DUPFD, 10);
    int ready_copy = ::fcntl(ready_fd, F_DUPFD, 10);
    int region_copy = ::fcntl(region_fd, F_DUPFD, 10);
    if (listen_copy < 0 || ready_copy < 0 || region_copy < 0 ||
        ::dup2(listen_copy, kWorkerListenFd) < 0 || ::dup2(ready_copy, kWorkerReadyFd) < 0 ||
        ::dup2(region_copy, kWorkerRegionFd) < 0) {
        ::_exit(126);
    }
    ::close(listen_copy);
    ::close(ready_copy);
    ::close(region_copy);
    sigset_t empty;
    sigemptyset(&empty);
    ::sigprocmask(SIG_SETMASK, &empty, nullptr);
    ::execv(executable.c_str(), argv.data());
    ::_exit(127);
}

}  // namespace

SpawnedWorker spawnWorker(const std::string& executable,
                          const std::vector<std::string>& arguments,
                          int listen_fd,
                          int region_fd) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("cannot create a pipe for a worker: ") +
                                 std::strerror(errno));
    }
    std::vector<char*> argv;
    for (const auto& argument : arguments) {
        argv.push_back(const_cast<char*>(argument.c_str()));
    }
    argv.push_back(nullptr);

    pid_t supervisor = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
        int error = errno;
        ::close(ready[0]);
        ::close(ready[1]);
        throw std::runtime_error(std::string("cannot fork a worker: ") + std::strerror(error));
    }
    if (pid == 0) {
        execWorker(executable, argv, listen_fd, ready[1], region_fd, supervisor);
    }
    ::close(ready[1]);
    return {pid, ready[0]};
}

std::string describeExit(int status) {
    if (WIFEXITED(status)) {
        return "exit status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        int signal = WTERMSIG(status);
        return "signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
    }
    return "wait status " + std::to_string(status);
}

}  // namespace valhalla::host::process
