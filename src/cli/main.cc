#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"mlworker: health data categorization, aggregation and ML jobs on an SQS-semantics queue"};
  app.require_subcommand(1);
  app.set_version_flag("--version", MLW_VERSION);
  mlw::cli::AddVersionCommand(app);
  mlw::cli::AddMigrateCommand(app);
  // The lead binds pipeline handlers (process_pending_labs/vitals/nutrition) here.
  mlw::cli::AddWorkerCommand(app, nullptr);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const mlw::cli::CommandExit& e) {
    return e.code;
  }
  return 0;
}
