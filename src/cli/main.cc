#include <iostream>

#include "cli/commands.h"
#include "cli/job_bindings.h"
#include "queue/postgres_queue.h"
#include "queue/sqs_queue_service.h"
#include "store/postgres_database.h"

int main(int argc, char** argv) {
  CLI::App app{"mlworker: health data categorization, aggregation and ML jobs on an SQS-semantics queue"};
  app.require_subcommand(1);
  mlw::queue::RegisterSqsQueueBackend();  // http(s):// queue URLs: Amazon SQS and compatibles
  mlw::queue::RegisterPostgresQueueBackend();  // postgresql:// queue URLs
  mlw::store::RegisterPostgresDatabase();      // postgresql:// DATABASE_URL
  app.set_version_flag("--version", MLW_VERSION);
  mlw::cli::AddRunCommand(app);
  mlw::cli::AddVersionCommand(app);
  mlw::cli::AddMigrateCommand(app);
  mlw::cli::AddQueueCommand(app);
  mlw::cli::AddServeCommand(app);
  mlw::cli::AddLoincCommand(app);
  mlw::cli::AddWorkerCommand(app, mlw::cli::BindPipelineJobs);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version print and succeed; every other parse error is a usage error: exit code 2.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const mlw::cli::CommandExit& e) {
    return e.code;
  }
  return 0;
}
