#pragma once

#include "shared/region_layout.hpp"

namespace valhalla::host::process {

/// Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT that record the
/// plugin handler running on the crashing thread in `slot` and on stderr, then let
/// the signal kill the process as before, so the supervisor reaps the same signal.
void installCrashHandler(shared::WorkerSlot& slot);

}  // namespace valhalla::host::process
