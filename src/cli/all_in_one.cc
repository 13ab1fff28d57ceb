#include "cli/all_in_one.h"

#include <filesystem>

#include "api/tokens.h"
#include "cli/job_bindings.h"
#include "core/log.h"
#include "mapping/catalog_store.h"
#include "store/database_factory.h"
#include "store/migrations.h"
#include "worker/queue_setup.h"
#include "worker/user_lease_factory.h"

namespace mlw::cli {
namespace {

std::string AbsoluteDir(const std::string& dir) {
  return std::filesystem::absolute(dir).lexically_normal().string();
}

}  // namespace

AllInOne::AllInOne(AllInOneOptions options) : options_(std::move(options)) {}

AllInOne::~AllInOne() { Stop(); }

Status AllInOne::Start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) {
    return Unavailable("cannot create data directory " + options_.data_dir + ": " + ec.message());
  }
  const std::string dir = AbsoluteDir(options_.data_dir);
  const std::string db_url =
      options_.database_url.empty() ? "sqlite://" + dir + "/mlworker.db" : options_.database_url;
  std::string queue_url =
      options_.queue_url.empty() ? "sqlite://" + dir + "/queue.db" : options_.queue_url;

  MLW_ASSIGN_OR_RETURN(db_, store::OpenDatabase(db_url));
  MLW_RETURN_IF_ERROR(store::Migrate(*db_).status());
  // SQLite has one writer, and a processing run of a few seconds' uploads does all its work in one
  // write transaction: further handler threads only queue for the lock and take CPU from ingest
  // (bench/api_ingest_bench.sh: 4 threads gave lower throughput and a p99 of 73-79 ms against
  // 52-56 ms with one). An explicit worker.concurrency is kept.
  if (db_->dialect() == store::Dialect::kSqlite && !options_.worker_concurrency_configured) {
    options_.worker.concurrency = 1;
  }

  queue::QueueFactoryOptions qo;
  qo.region = options_.region;
  MLW_ASSIGN_OR_RETURN(queue_, queue::OpenQueueService(queue_url, qo));
  if (!queue_.default_queue.empty()) options_.worker.queues.queue_name = queue_.default_queue;
  MLW_ASSIGN_OR_RETURN(worker::QueueSetup setup,
                       worker::EnsureQueues(*queue_.service, options_.worker.queues));

  if (options_.admin_token.empty()) {
    admin_token_path_ = dir + "/admin.token";
    MLW_ASSIGN_OR_RETURN(admin_token_,
                         api::LoadOrCreateAdminToken(admin_token_path_, &admin_token_created_));
  } else {
    admin_token_ = options_.admin_token;
  }

  triggers::OutboxOptions oo;
  oo.queue_name = setup.queue;
  oo.delay_seconds = options_.trigger_delay_seconds;
  oo.min_run_interval_seconds = options_.trigger_min_interval_seconds;
  outbox_ =
      std::make_unique<triggers::TriggerOutbox>(*db_, *queue_.service, SystemClock::Default(), oo);
  relay_thread_ = std::thread([this] { RelayLoop(); });

  if (options_.run_worker) {
    // Lab tests are coded by the mapping engine: built-in catalog plus what `mlworker loinc
    // import|accept` stored in <data-dir>/loinc.db.
    MLW_ASSIGN_OR_RETURN(mapping_, mapping::OpenEngine(dir + "/loinc.db"));
    lab_coder_ = std::make_unique<pipelines::labs::EngineLabCoder>(*mapping_);
    MLW_ASSIGN_OR_RETURN(leases_, worker::OpenUserLeases(db_.get(), &SystemClock::Default()));
    pipelines::ProcessOptions process;
    process.lease_micros = int64_t{options_.row_lease_seconds} * 1'000'000;
    MLW_RETURN_IF_ERROR(
        RegisterPipelineJobs(registry_, *db_, *lab_coder_, SystemClock::Default(), process));
    worker_metrics_ = std::make_unique<worker::WorkerMetrics>(metrics_, MLW_VERSION);
    worker_ = std::make_unique<worker::WorkerRuntime>(
        options_.worker, queue_.service.get(), leases_.get(), &registry_, worker_metrics_.get());
    worker_thread_ = std::thread([this] {
      Result<worker::WorkerSummary> summary = worker_->Run();
      if (!summary.ok()) log::Error("worker_failed", {{"status", summary.status().ToString()}});
    });
  }

  if (options_.serve_sqs) {
    sqs_ = std::make_unique<queue::SqsServer>(queue_.service.get(), options_.sqs);
    MLW_RETURN_IF_ERROR(sqs_->Start());
  }

  api::ApiDeps deps;
  deps.db = db_.get();
  deps.queue = queue_.service.get();
  deps.queue_name = setup.queue;
  deps.outbox = outbox_.get();
  deps.after_ingest = [this] { NotifyIngest(); };
  deps.metrics = &metrics_;
  deps.admin_token = admin_token_;
  api_ = std::make_unique<api::ApiServer>(deps, options_.api);
  MLW_RETURN_IF_ERROR(api_->Start());
  return Status::Ok();
}

void AllInOne::NotifyIngest() {
  std::lock_guard<std::mutex> lock(relay_mu_);
  relay_wake_ = true;
  relay_cv_.notify_one();
}

void AllInOne::RelayLoop() {
  std::unique_lock<std::mutex> lock(relay_mu_);
  for (;;) {
    relay_cv_.wait_for(lock, std::chrono::milliseconds(options_.relay_interval_ms),
                       [this] { return relay_wake_ || relay_stop_; });
    if (relay_wake_ && !relay_stop_ && options_.relay_gather_ms > 0) {
      relay_cv_.wait_for(lock, std::chrono::milliseconds(options_.relay_gather_ms),
                         [this] { return relay_stop_; });
    }
    const bool stopping = relay_stop_;
    relay_wake_ = false;
    lock.unlock();
    Result<int> sent = outbox_->Relay();
    if (!sent.ok()) log::Warn("outbox_relay_failed", {{"status", sent.status().ToString()}});
    // This loop already wakes at least once per relay interval; see core/memory_release.h.
    memory_release_.Maybe();
    lock.lock();
    if (stopping) return;
  }
}

void AllInOne::WaitWorker() {
  if (worker_thread_.joinable()) worker_thread_.join();
}

void AllInOne::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (api_) api_->Stop(std::chrono::seconds(5));
  if (sqs_) sqs_->Stop(std::chrono::seconds(5));
  if (worker_) worker_->Stop();
  WaitWorker();
  if (relay_thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(relay_mu_);
      relay_stop_ = true;
    }
    relay_cv_.notify_one();
    relay_thread_.join();  // its last pass sends triggers recorded by the final requests
  }
}

uint16_t AllInOne::api_port() const { return api_ ? api_->port() : 0; }
uint16_t AllInOne::sqs_port() const { return sqs_ ? sqs_->port() : 0; }

}  // namespace mlw::cli
