#include "worker/worker_main.h"

#include <cstdlib>

#include "core/log.h"
#include "queue/queue_factory.h"
#include "store/database_factory.h"
#include "store/migrations.h"
#include "worker/metrics_server.h"
#include "worker/shutdown_signals.h"
#include "worker/user_lease_factory.h"
#include "worker/worker_metrics.h"
#include "worker/worker_runtime.h"

namespace mlw::worker {
namespace {

int StartFailed(const std::string& step, const Status& s) {
  log::Error("worker_start_failed", {{"step", step}, {"error", s.ToString()}});
  return 1;
}

}  // namespace

int RunWorkerProcess(const WorkerConfig& config, const JobBinder& bind,
                     const std::string& version) {
  log::Level level;
  if (log::ParseLevel(config.log_level, &level)) log::SetLevel(level);
  if (!config.enabled) {
    log::Info("worker_disabled", {{"key", "worker.enabled"}, {"env", "ML_WORKER_ENABLED"}});
    return 0;
  }

  WorkerOptions options = config.runtime;
  std::unique_ptr<queue::QueueService> queues;
  if (options.mode != WorkerMode::kAggregation) {
    queue::QueueFactoryOptions qopts;
    if (const char* region = std::getenv("AWS_REGION"); region && *region) qopts.region = region;
    auto opened = queue::OpenQueueService(config.queue_url, qopts);
    if (!opened.ok()) return StartFailed("open_queue", opened.status());
    queues = std::move(opened->service);
    if (!opened->default_queue.empty()) options.queues.queue_name = opened->default_queue;
  }

  auto db = store::OpenDatabase(config.database_url);
  if (!db.ok()) return StartFailed("open_database", db.status());
  auto migrated = store::Migrate(**db);
  if (!migrated.ok()) return StartFailed("migrate", migrated.status());

  HandlerRegistry registry;
  if (!bind) return StartFailed("bind_handlers", FailedPrecondition("no job binder in this build"));
  Status bound = bind(registry, **db, config);
  if (!bound.ok()) return StartFailed("bind_handlers", bound);
  if (registry.JobTypes().empty()) {
    // Without handlers every message would be dead-lettered as an unknown job type.
    return StartFailed("bind_handlers", FailedPrecondition("no job types registered"));
  }

  metrics::Registry metrics_registry;
  WorkerMetrics metrics(metrics_registry, version);
  MetricsServer server(&metrics_registry);
  Status listening = server.Start(config.metrics_address, config.metrics_port);
  if (!listening.ok()) {
    return StartFailed(
        "metrics_listener",
        Status(listening.code(), listening.message() +
                                     " (set worker.metrics_port / ML_WORKER_METRICS_PORT; 0 picks "
                                     "a free port)"));
  }
  log::Info("metrics_listening", {{"address", config.metrics_address}, {"port", server.port()}});

  auto leases = OpenUserLeases(db->get(), &SystemClock::Default());
  if (!leases.ok()) return StartFailed("user_leases", leases.status());
  WorkerRuntime runtime(options, queues.get(), leases->get(), &registry, &metrics);
  auto summary = RunWithShutdownSignals(runtime);
  if (!summary.ok()) return StartFailed("queue_setup", summary.status());
  if (summary->abandoned > 0) {
    log::Error("worker_abandoned_handlers",
               {{"count", summary->abandoned},
                {"note", "their messages return after the visibility timeout"}});
    std::_Exit(1);
  }
  server.Stop();
  return 0;
}

}  // namespace mlw::worker
