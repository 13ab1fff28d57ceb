// Each subcommand of the mlworker binary lives in its own <name>_command.cc and adds itself to the
// CLI11 app through one function here. A command's callback returns through CommandExit so that
// main() turns it into the process exit code.
#pragma once

#include <CLI/CLI.hpp>

#include "worker/worker_main.h"

namespace mlw::cli {

// Thrown by a command callback to end the process with `code` after printing nothing more.
struct CommandExit {
  int code;
};

void AddVersionCommand(CLI::App& app);
// `mlworker migrate [--database-url URL]`: applies pending schema migrations.
void AddMigrateCommand(CLI::App& app);
void AddQueueCommand(CLI::App& app);
// `mlworker serve [--sqs-listen HOST:PORT] [--data-dir DIR] [--queue-url URL]`: the SQS endpoint.
void AddServeCommand(CLI::App& app);
void AddLoincCommand(CLI::App& app);
// `mlworker worker [--mode sqs|aggregation|both] …`: runs the worker runtime with the job types
// `bind` registers (docs/worker.md). Without a binder, or when it registers nothing, the command
// refuses to start rather than dead-letter every message as an unknown job type.
void AddWorkerCommand(CLI::App& app, worker::JobBinder bind);
// `mlworker run`: API + SQS endpoint + worker in one process (all_in_one.h).
void AddRunCommand(CLI::App& app);

}  // namespace mlw::cli
