#include "cli/worker_flags.h"

#include "core/config.h"

namespace mlw::cli {
namespace {

// Flag name -> canonical configuration key (worker/worker_config.h).
const std::map<std::string, std::string>& FlagKeys() {
  static const auto* keys = new std::map<std::string, std::string>{
      {"mode", "worker.mode"},
      {"queue-url", "worker.queue_url"},
      {"queue-name", "worker.queue_name"},
      {"dlq-name", "worker.dlq_name"},
      {"batch-size", "worker.batch_size"},
      {"wait-time", "worker.wait_time"},
      {"visibility-timeout", "worker.visibility_timeout"},
      {"concurrency", "worker.concurrency"},
      {"sweep-interval", "worker.sweep_interval"},
      {"idle-exit", "worker.idle_exit"},
      {"row-lease-seconds", "worker.row_lease_seconds"},
      {"trigger-delay-seconds", "worker.trigger_delay_seconds"},
      {"trigger-min-interval-seconds", "worker.trigger_min_interval_seconds"},
      {"shutdown-grace", "worker.shutdown_grace"},
      {"metrics-address", "worker.metrics_address"},
      {"metrics-port", "worker.metrics_port"},
      {"worker-id", "worker.id"},
      {"data-dir", "data_dir"},
      {"database-url", "database_url"},
      {"log-level", "log_level"},
  };
  return *keys;
}

}  // namespace

void AddWorkerConfigFlags(CLI::App* cmd, WorkerFlagValues* out) {
  cmd->add_option("--config", out->config_file, "TOML configuration file (env ML_WORKER_CONFIG)");
  const std::vector<ConfigKey> spec = worker::WorkerConfigSpec();
  for (const auto& [flag, key] : FlagKeys()) {
    std::string help;
    for (const auto& k : spec) {
      if (k.name == key) help = k.help + (k.env.empty() ? "" : " (env " + k.env + ")");
    }
    cmd->add_option_function<std::string>(
        "--" + flag, [out, key = key](const std::string& v) { out->values[key] = v; }, help);
  }
}

Result<worker::WorkerConfig> LoadWorkerConfigFromFlags(const WorkerFlagValues& flags) {
  std::map<std::string, std::string> env = ProcessEnvironment();
  std::string file = flags.config_file;
  if (file.empty()) {
    if (auto it = env.find("ML_WORKER_CONFIG"); it != env.end()) file = it->second;
  }
  Result<worker::WorkerConfig> config = worker::LoadWorkerConfig(file, env, flags.values);
  if (config.ok()) return config;
  // The configuration layer names flags by key ("--worker.batch_size="); show the user's spelling.
  std::string message = config.status().message();
  for (const auto& [flag, key] : FlagKeys()) {
    const std::string from = "--" + key + "=", to = "--" + flag + "=";
    for (size_t at = message.find(from); at != std::string::npos; at = message.find(from)) {
      message.replace(at, from.size(), to);
    }
  }
  return InvalidArgument(message);
}

}  // namespace mlw::cli
