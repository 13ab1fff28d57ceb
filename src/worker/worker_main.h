// Everything a worker process does once its configuration is known: open the queue backend and the
// database (applying migrations), bind the job handlers, serve metrics, run the runtime under
// SIGTERM/SIGINT handling. Shared by `mlworker worker` and the integration-test harness, so the
// tests exercise the same path as production.
#pragma once

#include <functional>
#include <string>

#include "core/status.h"
#include "store/database.h"
#include "worker/handler_registry.h"
#include "worker/worker_config.h"

namespace mlw::worker {

// Registers the job types this process handles. Gets the opened, migrated database and the
// configuration (for instance to find the data directory).
using JobBinder = std::function<Status(HandlerRegistry& registry, store::Database& db,
                                       const WorkerConfig& config)>;

// Returns the process exit code: 0 after a graceful stop or when the worker is disabled, 1 when it
// cannot start (each problem logged as `worker_start_failed` with its reason). When handlers
// outlive the grace period the process ends here with std::_Exit(1). Logs `metrics_listening` with
// the bound port.
// REQUIRES: BlockShutdownSignals() was called before any thread started.
int RunWorkerProcess(const WorkerConfig& config, const JobBinder& bind, const std::string& version);

}  // namespace mlw::worker
