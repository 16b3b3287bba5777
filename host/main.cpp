#include <iostream>

#include "app/application.hpp"
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
    if (auto problem = application.checkBeforeRun(argc, argv)) {
        std::cerr << "valhalla: " << problem->message << "\n";
        return problem->status;
    }
    return application.run(argc, argv);
}
