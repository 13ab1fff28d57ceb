// `mlworker run`: the all-in-one process (API + SQS endpoint + worker in mode both) on the embedded
// default under --data-dir. With --demo it also creates a demo user with a year of data, waits
// until everything is processed and prints what to look at. Runs until SIGINT or SIGTERM.
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "cli/all_in_one.h"
#include "cli/commands.h"
#include "cli/demo_runner.h"
#include "cli/listen_address.h"
#include "cli/worker_flags.h"
#include "core/log.h"
#include "worker/worker_config.h"

namespace mlw::cli {
namespace {

struct RunFlags {
  WorkerFlagValues worker;  // worker keys given on the command line, and --config
  std::string api_listen;
  std::string sqs_listen;
  std::string admin_token;
  bool demo = false;
};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

int RunAllInOne(const RunFlags& flags) {
  Result<worker::WorkerConfig> config = LoadWorkerConfigFromFlags(flags.worker);
  if (!config.ok()) {
    std::cerr << "mlworker run: " << config.status().message() << "\n";
    return 2;
  }
  log::Level level = log::Level::kInfo;
  log::ParseLevel(config->log_level, &level);
  log::SetLevel(level);

  AllInOneOptions options;
  options.data_dir = config->data_dir;
  options.database_url = config->database_url;
  options.queue_url = config->queue_url;
  options.worker = config->runtime;
  options.worker_concurrency_configured = config->concurrency_configured;
  options.row_lease_seconds = config->row_lease_seconds;
  options.trigger_delay_seconds = config->trigger_delay_seconds;
  options.trigger_min_interval_seconds = config->trigger_min_interval_seconds;
  options.region = EnvOr("AWS_REGION", "us-east-1");
  options.admin_token = flags.admin_token;
  // ML_WORKER_ENABLED=false keeps the API and the SQS endpoint without a worker: uploads are
  // stored and their triggers queued for a worker elsewhere (or a later start).
  options.run_worker = config->enabled;
  std::string error;
  if (!ParseListenAddress("--api-listen", flags.api_listen, &options.api.http.address,
                          &options.api.http.port, &error) ||
      !ParseListenAddress("--sqs-listen", flags.sqs_listen, &options.sqs.http.address,
                          &options.sqs.http.port, &error)) {
    std::cerr << "mlworker run: " << error << "\n";
    return 2;
  }

  // Signals are taken synchronously by this thread; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  AllInOne node(options);
  Status started = node.Start();
  if (!started.ok()) {
    std::cerr << "mlworker run: " << started.ToString() << "\n";
    node.Stop();
    return 1;
  }
  const std::string api_url =
      "http://" + options.api.http.address + ":" + std::to_string(node.api_port());
  const std::string sqs_url =
      "http://" + options.sqs.http.address + ":" + std::to_string(node.sqs_port());
  // Tests and scripts read the bound ports from these lines (useful with port 0).
  std::cout << "mlworker " << MLW_VERSION << " running (data in " << options.data_dir << ")\n"
            << "api listening on " << api_url << "\n"
            << "sqs endpoint listening on " << sqs_url << " (queue " << sqs_url << "/000000000000/"
            << options.worker.queues.queue_name << ")\n";
  if (!node.admin_token_path().empty()) {
    std::cout << "admin token in " << node.admin_token_path()
              << (node.admin_token_created() ? " (new): " + node.admin_token() : "") << "\n";
  }
  std::cout << std::flush;

  if (flags.demo) {
    Status demo = RunDemo(node, api_url, std::cout);
    if (!demo.ok()) {
      std::cerr << "mlworker run: demo failed: " << demo.ToString() << "\n";
      node.Stop();
      return 1;
    }
  }
  std::cout << "press Ctrl-C to stop" << std::endl;
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log::Info("run_stopping", {{"signal", signal_number}});
  // A second signal during the drain ends the process at once; un-deleted messages come back.
  std::thread([signals]() mutable {
    int again = 0;
    sigwait(&signals, &again);
    std::_Exit(130);
  }).detach();
  node.Stop();
  return 0;
}

}  // namespace

void AddRunCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "run", "All-in-one: HTTP API + SQS-compatible endpoint + worker on the embedded default");
  auto flags = std::make_shared<RunFlags>();
  flags->api_listen = EnvOr("MLW_API_LISTEN", "127.0.0.1:8080");
  flags->sqs_listen = EnvOr("MLW_SQS_LISTEN", "127.0.0.1:9324");
  flags->admin_token = EnvOr("MLW_ADMIN_TOKEN", "");
  cmd->add_option("--api-listen", flags->api_listen, "HTTP API address HOST:PORT ($MLW_API_LISTEN)")
      ->capture_default_str();
  cmd->add_option("--sqs-listen", flags->sqs_listen,
                  "SQS endpoint address HOST:PORT ($MLW_SQS_LISTEN)")
      ->capture_default_str();
  cmd->add_option("--admin-token", flags->admin_token,
                  "Admin API token ($MLW_ADMIN_TOKEN; default: generated into "
                  "<data-dir>/admin.token)");
  cmd->add_flag("--demo", flags->demo,
                "Create a demo user with a year of vitals, meals and lab reports and wait until "
                "it is processed");
  AddWorkerConfigFlags(cmd, &flags->worker);
  cmd->callback([flags] {
    int code = RunAllInOne(*flags);
    if (code != 0) throw CommandExit{code};
  });
}

}  // namespace mlw::cli
