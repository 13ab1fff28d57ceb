// The all-in-one process of `mlworker run`: HTTP API + SQS-compatible endpoint + worker (mode
// `both`) + trigger relay, on one database and one queue backend. Start() brings everything up in
// dependency order and Stop() takes it down in reverse, so that no accepted upload is left without
// its trigger and no received message is lost (un-deleted messages come back).
//
// Thread-safety: Start(), Stop() and the accessors from one controlling thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "api/api_server.h"
#include "core/memory_release.h"
#include "core/metrics.h"
#include "core/status.h"
#include "mapping/mapping_engine.h"
#include "pipelines/labs/engine_lab_coder.h"
#include "queue/queue_factory.h"
#include "queue/sqs_server.h"
#include "store/database.h"
#include "triggers/trigger_outbox.h"
#include "worker/handler_registry.h"
#include "worker/user_lease.h"
#include "worker/worker_metrics.h"
#include "worker/worker_runtime.h"

namespace mlw::cli {

struct AllInOneOptions {
  std::string data_dir = "mlworker-data";  // created when missing
  std::string database_url;                // default sqlite://<data_dir>/mlworker.db
  std::string queue_url;                   // default sqlite://<data_dir>/queue.db
  std::string admin_token;                 // default: <data_dir>/admin.token, generated once
  std::string region = "us-east-1";
  api::ApiOptions api;
  queue::SqsServerOptions sqs;
  bool serve_sqs = true;  // false: no SQS endpoint (for example with a remote queue)
  bool run_worker = true;
  worker::WorkerOptions worker;
  // False: worker.concurrency was left at its default, and on SQLite the worker runs one handler
  // thread (see Start()).
  bool worker_concurrency_configured = false;
  int row_lease_seconds = 300;   // worker.row_lease_seconds: raw rows leased per job run
  int relay_interval_ms = 1000;  // outbox pass at least this often, and after every ingest
  // After an ingest wakes the relay it waits this long for more, so that one pass (one send and
  // one commit per 10 triggers) carries the triggers of many concurrent uploads.
  int relay_gather_ms = 20;
  int trigger_delay_seconds = 1;  // worker.trigger_delay_seconds: DelaySeconds of triggers
  // worker.trigger_min_interval_seconds: a user's runs start at least this far apart.
  int trigger_min_interval_seconds = 5;
};

class AllInOne {
 public:
  explicit AllInOne(AllInOneOptions options);
  ~AllInOne();
  AllInOne(const AllInOne&) = delete;
  AllInOne& operator=(const AllInOne&) = delete;

  // Opens and migrates the database, opens the queue, creates the queues, starts the relay, the
  // worker, the SQS endpoint and the API. On failure everything already started is stopped.
  Status Start();
  // Graceful stop: API and SQS endpoint stop accepting, the worker drains, a last relay pass
  // sends recorded triggers. Idempotent.
  void Stop();
  // Blocks until the worker's Run() returned (after Stop(), or on its own failure).
  void WaitWorker();

  uint16_t api_port() const;
  uint16_t sqs_port() const;
  const std::string& admin_token() const { return admin_token_; }
  // Path of the generated admin token file, empty when the token came from configuration.
  const std::string& admin_token_path() const { return admin_token_path_; }
  bool admin_token_created() const { return admin_token_created_; }
  store::Database& db() { return *db_; }
  triggers::TriggerOutbox& outbox() { return *outbox_; }
  // Wakes the relay (after an ingest made outside the API, e.g. the demo loader).
  void NotifyIngest();

 private:
  void RelayLoop();

  AllInOneOptions options_;
  std::string admin_token_;
  std::string admin_token_path_;
  bool admin_token_created_ = false;
  metrics::Registry metrics_;
  std::unique_ptr<store::Database> db_;
  queue::OpenedQueue queue_;
  std::unique_ptr<triggers::TriggerOutbox> outbox_;
  std::unique_ptr<mapping::MappingEngine> mapping_;
  std::unique_ptr<pipelines::labs::EngineLabCoder> lab_coder_;
  std::unique_ptr<worker::UserLeases> leases_;
  worker::HandlerRegistry registry_;
  std::unique_ptr<worker::WorkerMetrics> worker_metrics_;
  std::unique_ptr<worker::WorkerRuntime> worker_;
  std::thread worker_thread_;
  std::unique_ptr<queue::SqsServer> sqs_;
  std::unique_ptr<api::ApiServer> api_;

  std::thread relay_thread_;
  std::mutex relay_mu_;
  std::condition_variable relay_cv_;
  bool relay_wake_ = false;  // guarded by relay_mu_
  bool relay_stop_ = false;  // guarded by relay_mu_
  // Keeps resident memory near the live heap while the worker's rounds come and go.
  PeriodicMemoryRelease memory_release_{std::chrono::seconds(1)};
  bool stopped_ = false;
};

}  // namespace mlw::cli
