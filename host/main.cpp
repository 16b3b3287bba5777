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
    std::string error = application.commandLineError(argc, argv);
    if (!error.empty()) {
        std::cerr << "valhalla: " << error << "; run valhalla --help for the options\n";
        return application.EXIT_USAGE;
    }
    return application.run(argc, argv);
}
