// Configuration of `mlworker worker`, from flags > environment > TOML file > defaults (DESIGN.md
// "Configuration"). Every key has one spelling per source: a flag (--batch-size), an environment
// variable (ML_WORKER_BATCH_SIZE) and a TOML key (batch_size in the [worker] table; data_dir,
// database_url and log_level at top level, since the whole binary shares them). A bad value fails
// the load with the key as its source spells it, the value, and what is accepted.
//
// Self-contained on purpose: the binary-wide configuration can fold this table in later.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "worker/worker_runtime.h"

namespace mlw::worker {

struct WorkerConfig {
  // ML_WORKER_ENABLED: false makes the command log and exit 0 without touching the queue.
  bool enabled = true;
  // Directory of the embedded defaults. Default "mlworker-data" (relative to the working dir).
  std::string data_dir = "mlworker-data";
  // Queue backend URL as queue/queue_factory.h accepts it. Default sqlite://<data_dir>/queue.db.
  std::string queue_url;
  // Database URL as store/database_factory.h accepts it. Default sqlite://<data_dir>/mlworker.db.
  std::string database_url;
  // Admin HTTP listener for GET /metrics. Port 0 picks a free port (logged). Default
  // 127.0.0.1:9464.
  std::string metrics_address = "127.0.0.1";
  int metrics_port = 9464;
  // debug | info | warn | error. Default info.
  std::string log_level = "info";
  WorkerOptions runtime;
};

struct ConfigSources {
  // Flag values by flag name without dashes ("batch-size"), only for flags given.
  std::map<std::string, std::string> flags;
  // Environment lookup; nullopt when unset. Injected so that tests need no setenv.
  std::function<std::optional<std::string>(const std::string&)> env;
  // TOML file path; empty for none. A named file that cannot be read or parsed fails the load.
  std::string file;
};

Result<WorkerConfig> LoadWorkerConfig(const ConfigSources& sources);

// Reads the real process environment; for ConfigSources::env at the edge (the CLI).
std::optional<std::string> ProcessEnv(const std::string& name);

// One row per key, for --help and docs: flag, environment variable, TOML key, accepted values and
// default.
struct ConfigKeyInfo {
  std::string flag;
  std::string env;
  std::string toml;
  std::string accepted;
  std::string default_value;
};
std::vector<ConfigKeyInfo> WorkerConfigKeys();

}  // namespace mlw::worker
