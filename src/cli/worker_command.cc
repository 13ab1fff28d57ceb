#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/worker_flags.h"
#include "worker/shutdown_signals.h"
#include "worker/worker_main.h"

namespace mlw::cli {

void AddWorkerCommand(CLI::App& app, worker::JobBinder bind) {
  auto* cmd = app.add_subcommand(
      "worker",
      "Run a worker: consume the queue (sqs), sweep for pending rows (aggregation), or both");
  auto flags = std::make_shared<WorkerFlagValues>();
  AddWorkerConfigFlags(cmd, flags.get());
  cmd->callback([flags, bind] {
    // Before any thread exists, so that only the signal watcher sees SIGTERM/SIGINT.
    worker::BlockShutdownSignals();
    auto config = LoadWorkerConfigFromFlags(*flags);
    if (!config.ok()) {
      std::cerr << "mlworker worker: " << config.status().message() << "\n";
      throw CommandExit{2};
    }
    int code = worker::RunWorkerProcess(*config, bind, MLW_VERSION);
    if (code != 0) throw CommandExit{code};
  });
}

}  // namespace mlw::cli
