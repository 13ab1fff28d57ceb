// Each subcommand of the mlworker binary lives in its own <name>_command.cc and adds itself to the
// CLI11 app through one function here. A command's callback returns through CommandExit so that
// main() turns it into the process exit code.
#pragma once

#include <CLI/CLI.hpp>

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

}  // namespace mlw::cli
