// Configuration of `mlworker worker`: its keys for the binary's layered configuration
// (core/config.h: flags > environment > TOML file > defaults, DESIGN.md "Configuration") and the
// typed WorkerConfig built from them. Keys are canonical dotted names that are also TOML paths:
// worker.* in the [worker] table; data_dir, database_url and log_level at top level because the
// whole binary shares them. A bad value fails at start naming the key, the value, where it came
// from and what is accepted.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "worker/worker_runtime.h"

namespace mlw::worker {

struct WorkerConfig {
  // worker.enabled (ML_WORKER_ENABLED): false makes the command log and exit 0 without touching
  // the queue. Default true.
  bool enabled = true;
  // data_dir (MLW_DATA_DIR): directory of the embedded defaults, made absolute. Default
  // "mlworker-data" in the working directory.
  std::string data_dir;
  // worker.queue_url (ML_WORKER_SQS_QUEUE_URL): queue backend URL as queue/queue_factory.h
  // accepts it; its ?queue= names the work queue. Default sqlite://<data_dir>/queue.db.
  std::string queue_url;
  // database_url (DATABASE_URL): holds the per-user leases. Default
  // sqlite://<data_dir>/mlworker.db.
  std::string database_url;
  // worker.metrics_address / worker.metrics_port: admin listener for GET /metrics. Port 0 picks a
  // free port (logged in `metrics_listening`). Default 127.0.0.1:9464.
  std::string metrics_address;
  int metrics_port = 0;
  // log_level (MLW_LOG_LEVEL): debug | info | warn | error. Default info.
  std::string log_level;
  // worker.row_lease_seconds (ML_WORKER_ROW_LEASE_SECONDS): how long a job holds the raw rows it
  // claimed (pipelines::ProcessOptions::lease_micros). Rows of a worker that died come back after
  // this; it must exceed the longest processing run of one user. Default 300.
  int row_lease_seconds = 300;
  // worker.trigger_delay_seconds (ML_WORKER_TRIGGER_DELAY_SECONDS): DelaySeconds of the triggers
  // `mlworker run` sends after ingest (triggers::OutboxOptions::delay_seconds). Default 1.
  int trigger_delay_seconds = 1;
  // worker.trigger_min_interval_seconds (ML_WORKER_TRIGGER_MIN_INTERVAL_SECONDS): a user's next
  // trigger waits until this long after their last run started
  // (triggers::OutboxOptions::min_run_interval_seconds). Default 5.
  int trigger_min_interval_seconds = 5;
  // True when worker.concurrency came from a flag, the environment or the file, not the default.
  bool concurrency_configured = false;
  WorkerOptions runtime;
};

// Every key the worker reads, with environment name, default and accepted values.
std::vector<ConfigKey> WorkerConfigSpec();

// The typed configuration, with the checks that involve several keys. REQUIRES: `config` was
// loaded with (a superset of) WorkerConfigSpec().
Result<WorkerConfig> WorkerConfigFromConfig(const Config& config);

// Config::Load(WorkerConfigSpec(), …) followed by WorkerConfigFromConfig(). `flags` by canonical
// key name ("worker.batch_size").
Result<WorkerConfig> LoadWorkerConfig(const std::string& toml_path,
                                      const std::map<std::string, std::string>& env,
                                      const std::map<std::string, std::string>& flags);

}  // namespace mlw::worker
