#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/config.h"
#include "worker/shutdown_signals.h"
#include "worker/worker_config.h"
#include "worker/worker_main.h"

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

void AddWorkerCommand(CLI::App& app, worker::JobBinder bind) {
  auto* cmd = app.add_subcommand(
      "worker",
      "Run a worker: consume the queue (sqs), sweep for pending rows (aggregation), or both");
  auto config_file = std::make_shared<std::string>();
  auto values = std::make_shared<std::map<std::string, std::string>>();
  cmd->add_option("--config", *config_file, "TOML configuration file (env ML_WORKER_CONFIG)");
  for (const auto& [flag, key] : FlagKeys()) {
    std::string help;
    for (const auto& k : worker::WorkerConfigSpec()) {
      if (k.name == key) help = k.help + (k.env.empty() ? "" : " (env " + k.env + ")");
    }
    cmd->add_option_function<std::string>(
        "--" + flag, [values, key = key](const std::string& v) { (*values)[key] = v; }, help);
  }
  cmd->callback([config_file, values, bind] {
    // Before any thread exists, so that only the signal watcher sees SIGTERM/SIGINT.
    worker::BlockShutdownSignals();
    std::map<std::string, std::string> env = ProcessEnvironment();
    std::string file = *config_file;
    if (file.empty()) {
      if (auto it = env.find("ML_WORKER_CONFIG"); it != env.end()) file = it->second;
    }
    auto config = worker::LoadWorkerConfig(file, env, *values);
    if (!config.ok()) {
      // The configuration layer names flags by key ("--worker.batch_size="); show the spelling
      // the user typed.
      std::string message = config.status().message();
      for (const auto& [flag, key] : FlagKeys()) {
        const std::string from = "--" + key + "=", to = "--" + flag + "=";
        for (size_t at = message.find(from); at != std::string::npos; at = message.find(from)) {
          message.replace(at, from.size(), to);
        }
      }
      std::cerr << "mlworker worker: " << message << "\n";
      throw CommandExit{2};
    }
    int code = worker::RunWorkerProcess(*config, bind, MLW_VERSION);
    if (code != 0) throw CommandExit{code};
  });
}

}  // namespace mlw::cli
