#include "process/crash_handler.hpp"

#include <cstring>

#include "server/current_request.hpp"
#include <signal.h>
#include <unistd.h>

namespace valhalla::host::process {

namespace {

shared::WorkerSlot* crash_slot = nullptr;

// Everything below runs in a signal handler, so it uses only async-signal-safe calls
// and no allocation.
void writeText(const char* text, std::size_t length) {
    while (length > 0) {
        ssize_t written = ::write(STDERR_FILENO, text, length);
        if (written <= 0) {
            return;
        }
        text += written;
        length -= static_cast<std::size_t>(written);
    }
}

void writeText(const char* text) {
    writeText(text, std::strlen(text));
}

void writeNumber(long value) {
    char digits[24];
    std::size_t at = sizeof(digits);
    do {
        digits[--at] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value > 0 && at > 0);
    writeText(digits + at, sizeof(digits) - at);
}

void onFatalSignal(int signal) {
    char note[sizeof(shared::WorkerSlot::crash_note)];
    std::size_t length = server::describeCurrentRequest(note, sizeof(note));
    if (crash_slot != nullptr && length > 0) {
        std::memcpy(crash_slot->crash_note, note, length);
        crash_slot->crash_note_length.store(static_cast<std::uint32_t>(length));
    }
    writeText("critical [server] pid=");
    writeNumber(::getpid());
    writeText(" worker crashed with signal ");
    writeNumber(signal);
    if (length > 0) {
        writeText(" in a plugin handler ");
        writeText(note, length);
    } else {
        writeText(" outside any plugin handler");
    }
    writeText("\n");
    // SA_RESETHAND restored the default action, so raising again ends the process
    // with this signal once the handler returns.
    ::raise(signal);
}

}  // namespace

void installCrashHandler(shared::WorkerSlot& slot) {
    crash_slot = &slot;

    struct sigaction action {};

    action.sa_handler = onFatalSignal;
    action.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
        ::sigaction(signal, &action, nullptr);
    }
}

}  // namespace valhalla::host::process
