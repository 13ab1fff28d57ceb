#include "worker/worker_config.h"

#include <filesystem>

namespace mlw::worker {
namespace {

ConfigKey Int(std::string name, std::string env, int64_t def, int64_t min, int64_t max,
              std::string help) {
  return {std::move(name), std::move(env), ConfigType::kInt, std::to_string(def), min, max, {},
          std::move(help)};
}

ConfigKey Str(std::string name, std::string env, std::string def, std::string help) {
  return {std::move(name), std::move(env), ConfigType::kString, std::move(def), 0, 0, {},
          std::move(help)};
}

ConfigKey Bool(std::string name, std::string env, bool def, std::string help) {
  return {std::move(name), std::move(env), ConfigType::kBool, def ? "true" : "false", 0, 0, {},
          std::move(help)};
}

int GetI(const Config& c, const std::string& key) { return static_cast<int>(c.GetInt(key)); }

Status NonEmpty(const Config& c, const std::string& key) {
  if (!c.GetString(key).empty()) return Status::Ok();
  return InvalidArgument("invalid configuration:\n  " + key + " (" +
                         ConfigOriginName(c.Origin(key)) +
                         ") is empty: expected a non-empty string");
}

}  // namespace

std::vector<ConfigKey> WorkerConfigSpec() {
  return {
      Bool("worker.enabled", "ML_WORKER_ENABLED", true,
           "false: the worker exits at once without touching the queue"),
      {"worker.mode",
       "ML_WORKER_MODE",
       ConfigType::kEnum,
       "both",
       0,
       0,
       {"sqs", "aggregation", "both"},
       "sqs: consume the queue; aggregation: sweep for pending rows; both"},
      Str("worker.queue_url", "ML_WORKER_SQS_QUEUE_URL", "",
          "queue backend URL (default sqlite://<data_dir>/queue.db); ?queue= names the queue"),
      Str("worker.queue_name", "ML_WORKER_QUEUE_NAME", "ml-worker", "work queue name"),
      Str("worker.dlq_name", "ML_WORKER_DLQ_NAME", "ml-worker-dlq", "dead-letter queue name"),
      Bool("worker.create_queues", "ML_WORKER_CREATE_QUEUES", true,
           "create the work queue and its dead-letter queue when missing"),
      Int("worker.max_receive_count", "ML_WORKER_MAX_RECEIVE_COUNT", 3, 1, 1000,
          "receives before the redrive policy dead-letters a message (queues created here)"),
      Int("worker.batch_size", "ML_WORKER_BATCH_SIZE", 10, 1, 10, "messages per receive"),
      Int("worker.wait_time", "ML_WORKER_WAIT_TIME", 20, 0, 20, "long-poll seconds per receive"),
      Int("worker.visibility_timeout", "ML_WORKER_VISIBILITY_TIMEOUT", 300, 1, 43200,
          "seconds a received message stays invisible; extended by the heartbeat"),
      Int("worker.concurrency", "ML_WORKER_CONCURRENCY", 4, 1, 256, "handler threads"),
      Int("worker.sweep_interval", "ML_WORKER_SWEEP_INTERVAL", 30, 1, 86400,
          "seconds between aggregation sweeps"),
      Int("worker.sweep_user_limit", "ML_WORKER_SWEEP_USER_LIMIT", 1000, 1, 1000000,
          "users per job type per sweep"),
      Int("worker.idle_exit", "ML_WORKER_IDLE_EXIT", 0, 0, 86400,
          "mode sqs: exit after this many idle seconds (0: never)"),
      Int("worker.shutdown_grace", "ML_WORKER_SHUTDOWN_GRACE", 30, 0, 3600,
          "seconds running handlers get to finish on SIGTERM/SIGINT"),
      Int("worker.backoff_base", "ML_WORKER_BACKOFF_BASE", 2, 1, 3600,
          "retry delay after the first failure, seconds; doubles per receive"),
      Int("worker.backoff_max", "ML_WORKER_BACKOFF_MAX", 300, 1, 43200,
          "upper bound of a retry delay, seconds"),
      Int("worker.lease_wait", "ML_WORKER_LEASE_WAIT", 30, 0, 3600,
          "seconds a message waits locally for its user's lease"),
      Int("worker.lease_busy_delay", "ML_WORKER_LEASE_BUSY_DELAY", 5, 0, 900,
          "visibility delay of a message put back because its user stayed busy"),
      Int("worker.row_lease_seconds", "ML_WORKER_ROW_LEASE_SECONDS", 300, 1, 43200,
          "seconds a job holds the raw rows it claimed; a dead worker's rows come back after it"),
      Int("worker.trigger_delay_seconds", "ML_WORKER_TRIGGER_DELAY_SECONDS", 1, 0, 900,
          "seconds a trigger waits in the queue after an upload; later uploads of the same user "
          "within it share one processing run"),
      Int("worker.trigger_min_interval_seconds", "ML_WORKER_TRIGGER_MIN_INTERVAL_SECONDS", 5, 0,
          900,
          "seconds after a user's processing run started before the next one may: a user "
          "uploading continuously gets one larger run this often"),
      Str("worker.id", "ML_WORKER_ID", "",
          "worker id in leases and logs (default host:pid:random)"),
      Str("worker.metrics_address", "ML_WORKER_METRICS_ADDRESS", "127.0.0.1",
          "admin listener address for GET /metrics"),
      Int("worker.metrics_port", "ML_WORKER_METRICS_PORT", 9464, 0, 65535,
          "admin listener port (0: any free port)"),
      Str("data_dir", "MLW_DATA_DIR", "mlworker-data", "directory of the embedded defaults"),
      Str("database_url", "DATABASE_URL", "",
          "database URL (default sqlite://<data_dir>/mlworker.db)"),
      {"log_level",
       "MLW_LOG_LEVEL",
       ConfigType::kEnum,
       "info",
       0,
       0,
       {"debug", "info", "warn", "error"},
       "log level"},
  };
}

Result<WorkerConfig> WorkerConfigFromConfig(const Config& c) {
  for (const char* key :
       {"worker.queue_name", "worker.dlq_name", "worker.metrics_address", "data_dir"}) {
    MLW_RETURN_IF_ERROR(NonEmpty(c, key));
  }
  WorkerConfig w;
  w.enabled = c.GetBool("worker.enabled");
  const std::string& mode = c.GetString("worker.mode");
  w.runtime.mode = mode == "sqs"           ? WorkerMode::kSqs
                   : mode == "aggregation" ? WorkerMode::kAggregation
                                           : WorkerMode::kBoth;
  w.runtime.queues.queue_name = c.GetString("worker.queue_name");
  w.runtime.queues.dead_letter_queue_name = c.GetString("worker.dlq_name");
  w.runtime.queues.create_if_missing = c.GetBool("worker.create_queues");
  w.runtime.queues.max_receive_count = GetI(c, "worker.max_receive_count");
  w.runtime.batch_size = GetI(c, "worker.batch_size");
  w.runtime.wait_seconds = GetI(c, "worker.wait_time");
  w.runtime.visibility_timeout_seconds = GetI(c, "worker.visibility_timeout");
  w.runtime.queues.visibility_timeout_seconds = w.runtime.visibility_timeout_seconds;
  w.runtime.concurrency = GetI(c, "worker.concurrency");
  w.concurrency_configured = c.Origin("worker.concurrency") != ConfigOrigin::kDefault;
  w.runtime.sweep_interval_seconds = GetI(c, "worker.sweep_interval");
  w.runtime.sweep_user_limit = GetI(c, "worker.sweep_user_limit");
  w.runtime.idle_exit_seconds = GetI(c, "worker.idle_exit");
  w.runtime.shutdown_grace_seconds = GetI(c, "worker.shutdown_grace");
  w.runtime.backoff.base_seconds = GetI(c, "worker.backoff_base");
  w.runtime.backoff.max_seconds = GetI(c, "worker.backoff_max");
  w.runtime.lease_wait_seconds = GetI(c, "worker.lease_wait");
  w.runtime.lease_busy_delay_seconds = GetI(c, "worker.lease_busy_delay");
  w.runtime.worker_id = c.GetString("worker.id");
  w.row_lease_seconds = GetI(c, "worker.row_lease_seconds");
  w.trigger_delay_seconds = GetI(c, "worker.trigger_delay_seconds");
  w.trigger_min_interval_seconds = GetI(c, "worker.trigger_min_interval_seconds");
  w.metrics_address = c.GetString("worker.metrics_address");
  w.metrics_port = GetI(c, "worker.metrics_port");
  w.log_level = c.GetString("log_level");

  if (w.runtime.backoff.base_seconds > w.runtime.backoff.max_seconds) {
    return InvalidArgument(
        "invalid configuration:\n  worker.backoff_base=" +
        std::to_string(w.runtime.backoff.base_seconds) +
        " must not exceed worker.backoff_max=" + std::to_string(w.runtime.backoff.max_seconds));
  }
  // sqlite:///absolute/path keeps the default URLs independent of the working directory.
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(c.GetString("data_dir"), ec);
  if (ec) {
    return InvalidArgument("invalid configuration:\n  data_dir=\"" + c.GetString("data_dir") +
                           "\": " + ec.message());
  }
  w.data_dir = dir.lexically_normal().string();
  while (w.data_dir.size() > 1 && w.data_dir.back() == '/') w.data_dir.pop_back();
  w.queue_url = c.GetString("worker.queue_url");
  if (w.queue_url.empty()) w.queue_url = "sqlite://" + w.data_dir + "/queue.db";
  w.database_url = c.GetString("database_url");
  if (w.database_url.empty()) w.database_url = "sqlite://" + w.data_dir + "/mlworker.db";
  return w;
}

Result<WorkerConfig> LoadWorkerConfig(const std::string& toml_path,
                                      const std::map<std::string, std::string>& env,
                                      const std::map<std::string, std::string>& flags) {
  MLW_ASSIGN_OR_RETURN(Config config, Config::Load(WorkerConfigSpec(), toml_path, env, flags));
  return WorkerConfigFromConfig(config);
}

}  // namespace mlw::worker
