// Command-line flags for the worker configuration keys (worker/worker_config.h), shared by the
// commands that run a worker (`worker`, `run`), and loading the configuration from them.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "core/status.h"
#include "worker/worker_config.h"

namespace mlw::cli {

struct WorkerFlagValues {
  std::string config_file;                    // --config (or $ML_WORKER_CONFIG)
  std::map<std::string, std::string> values;  // canonical key -> value, for flags given
};

// Adds --config and one option per key (--batch-size, --queue-url, …). REQUIRES: `out` outlives
// parsing.
void AddWorkerConfigFlags(CLI::App* cmd, WorkerFlagValues* out);

// flags > environment > TOML file > defaults. Errors name flags as the user spells them
// ("--batch-size=20"), not by their canonical key.
Result<worker::WorkerConfig> LoadWorkerConfigFromFlags(const WorkerFlagValues& flags);

}  // namespace mlw::cli
