// `mlworker serve`: runs the SQS-compatible endpoint over the configured queue backend until
// SIGINT or SIGTERM, then stops gracefully (parked long polls answer empty, requests in flight
// finish). The REST API joins this command later.
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/listen_address.h"
#include "core/log.h"
#include "queue/queue_factory.h"
#include "queue/sqs_server.h"

namespace mlw::cli {
namespace {

struct ServeFlags {
  std::string data_dir = "mlworker-data";
  std::string queue_url;  // default sqlite://<data_dir>/queue.db
  std::string sqs_listen = "127.0.0.1:9324";
  int io_threads = 2;
  int backend_threads = 4;
  std::string access_key_id;
  std::string secret_access_key;
  std::string log_level = "info";
};

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

int RunServe(const ServeFlags& flags) {
  log::Level level;
  if (!log::ParseLevel(flags.log_level, &level)) {
    std::cerr << "mlworker serve: --log-level must be debug|info|warn|error, got '"
              << flags.log_level << "'\n";
    return 2;
  }
  log::SetLevel(level);
  queue::SqsServerOptions options;
  std::string error;
  if (!ParseListenAddress("--sqs-listen", flags.sqs_listen, &options.http.address,
                          &options.http.port, &error)) {
    std::cerr << "mlworker serve: " << error << "\n";
    return 2;
  }
  if (flags.io_threads < 1 || flags.backend_threads < 1) {
    std::cerr << "mlworker serve: --io-threads and --backend-threads must be at least 1\n";
    return 2;
  }
  if (flags.access_key_id.empty() != flags.secret_access_key.empty()) {
    std::cerr << "mlworker serve: set both --sqs-access-key-id and --sqs-secret-access-key "
                 "(or MLW_SQS_ACCESS_KEY_ID and MLW_SQS_SECRET_ACCESS_KEY) to check credentials, "
                 "or neither\n";
    return 2;
  }
  if (!flags.access_key_id.empty()) {
    options.credentials =
        queue::sqs::SigV4Credentials{flags.access_key_id, flags.secret_access_key};
  }
  options.http.io_threads = flags.io_threads;
  options.backend_threads = flags.backend_threads;

  std::string url = flags.queue_url;
  if (url.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(flags.data_dir, ec);
    if (ec) {
      std::cerr << "mlworker serve: cannot create --data-dir '" << flags.data_dir
                << "': " << ec.message() << "\n";
      return 1;
    }
    std::string dir = std::filesystem::absolute(flags.data_dir).lexically_normal().string();
    url = "sqlite://" + dir + "/queue.db";
  }
  queue::QueueFactoryOptions factory_options;
  factory_options.region = EnvOr("AWS_REGION", "us-east-1");
  auto opened = queue::OpenQueueService(url, factory_options);
  if (!opened.ok()) {
    std::cerr << "mlworker serve: --queue-url '" << url << "': " << opened.status().ToString()
              << "\n";
    return 1;
  }

  // Signals are taken synchronously by this thread; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  queue::SqsServer server(opened->service.get(), options);
  Status started = server.Start();
  if (!started.ok()) {
    std::cerr << "mlworker serve: " << started.ToString() << "\n";
    return 1;
  }
  // Tests and scripts read the bound port from this line (useful with port 0).
  std::cout << "sqs endpoint listening on http://" << options.http.address << ":" << server.port()
            << std::endl;
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log::Info("serve_stopping", {{"signal", signal_number}});
  server.Stop(std::chrono::seconds(10));
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Serve the SQS-compatible queue endpoint");
  auto flags = std::make_shared<ServeFlags>();
  flags->access_key_id = EnvOr("MLW_SQS_ACCESS_KEY_ID", "");
  flags->secret_access_key = EnvOr("MLW_SQS_SECRET_ACCESS_KEY", "");
  cmd->add_option("--data-dir", flags->data_dir, "Directory for the embedded queue database")
      ->capture_default_str();
  cmd->add_option("--queue-url", flags->queue_url,
                  "Queue backend URL (default: sqlite://<data-dir>/queue.db)");
  cmd->add_option("--sqs-listen", flags->sqs_listen,
                  "SQS endpoint address HOST:PORT (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--io-threads", flags->io_threads, "HTTP I/O threads")->capture_default_str();
  cmd->add_option("--backend-threads", flags->backend_threads,
                  "Threads running queue backend calls")
      ->capture_default_str();
  cmd->add_option("--sqs-access-key-id", flags->access_key_id,
                  "Require SigV4 signatures by this access key id ($MLW_SQS_ACCESS_KEY_ID)");
  cmd->add_option("--sqs-secret-access-key", flags->secret_access_key,
                  "Secret of --sqs-access-key-id ($MLW_SQS_SECRET_ACCESS_KEY)");
  cmd->add_option("--log-level", flags->log_level, "debug|info|warn|error")->capture_default_str();
  cmd->callback([flags] {
    int code = RunServe(*flags);
    if (code != 0) throw CommandExit{code};
  });
}

}  // namespace mlw::cli
