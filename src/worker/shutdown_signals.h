// SIGTERM/SIGINT handling for worker processes: the first signal stops the runtime gracefully, a
// second one ends the process at once. Nothing is lost either way: a message is deleted only after
// its handler succeeded, so everything else comes back after its visibility timeout.
#pragma once

#include "core/status.h"
#include "worker/worker_runtime.h"

namespace mlw::worker {

// Blocks SIGTERM and SIGINT in the calling thread. REQUIRES: called in main() before any other
// thread starts, so that every thread inherits the mask and only the watcher sees the signals.
void BlockShutdownSignals();

// Runs runtime.Run() while a watcher thread waits for SIGTERM/SIGINT: the first calls Stop() (and
// logs `worker_signal`), a second logs `worker_forced_exit` and calls std::_Exit(128 + signo).
// REQUIRES: BlockShutdownSignals() was called.
Result<WorkerSummary> RunWithShutdownSignals(WorkerRuntime& runtime);

}  // namespace mlw::worker
