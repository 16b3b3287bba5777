#include "app/application.hpp"
#include "app/startup_channel.hpp"
#include <signal.h>

int main(int argc, char** argv) {
    // Blocked before any thread exists, so every thread inherits the mask: the
    // supervisor reads these signals from a signalfd, and a worker's main thread
    // waits for SIGTERM and SIGINT while request threads never receive them.
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2}) {
        sigaddset(&signals, signal);
    }
    sigprocmask(SIG_BLOCK, &signals, nullptr);

    valhalla::host::app::Application application;
    int status = application.run(argc, argv);
    // An unknown option or a missing option value is a usage error, like a malformed
    // --define, not a configuration error.
    return valhalla::host::app::commandLineErrorLogged() ? application.EXIT_USAGE : status;
}
