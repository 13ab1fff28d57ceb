// PostgresQueueService: opening, schema and queue administration. Message operations are in
// postgres_queue_messages.cc, waiting and notification in postgres_queue_notify.cc.
#include "queue/postgres_queue.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "core/log.h"

namespace mlw::queue {
namespace {

// Created on open when missing, under an advisory lock so that processes starting together do not
// race on the catalog. Times are milliseconds (_ms) or seconds (_s) of the injected clock.
constexpr const char* kSchema = R"sql(
BEGIN;
SELECT pg_advisory_xact_lock(7345012209);
CREATE TABLE IF NOT EXISTS mlw_queue_queues (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  visibility_timeout INTEGER NOT NULL,
  delay_seconds INTEGER NOT NULL,
  maximum_message_size INTEGER NOT NULL,
  retention_seconds INTEGER NOT NULL,
  receive_wait_seconds INTEGER NOT NULL,
  dlq_name TEXT,
  dlq_arn TEXT,
  max_receive_count INTEGER,
  passthrough TEXT NOT NULL DEFAULT '{}',
  created_s BIGINT NOT NULL,
  modified_s BIGINT NOT NULL,
  last_purge_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS mlw_queue_queues_by_dlq ON mlw_queue_queues (dlq_name);
CREATE TABLE IF NOT EXISTS mlw_queue_messages (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  queue_id BIGINT NOT NULL REFERENCES mlw_queue_queues (id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes BYTEA NOT NULL,
  md5_body TEXT NOT NULL,
  md5_attributes TEXT NOT NULL,
  sent_ms BIGINT NOT NULL,
  visible_ms BIGINT NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_ms BIGINT NOT NULL DEFAULT 0,
  nonce BIGINT NOT NULL DEFAULT 0,
  source_queue TEXT
);
CREATE INDEX IF NOT EXISTS mlw_queue_messages_by_visibility
  ON mlw_queue_messages (queue_id, visible_ms);
CREATE INDEX IF NOT EXISTS mlw_queue_messages_by_age ON mlw_queue_messages (queue_id, sent_ms);
CREATE TABLE IF NOT EXISTS mlw_queue_dedup (
  queue_id BIGINT NOT NULL REFERENCES mlw_queue_queues (id) ON DELETE CASCADE,
  dedup_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  expires_ms BIGINT NOT NULL,
  PRIMARY KEY (queue_id, dedup_id)
);
CREATE INDEX IF NOT EXISTS mlw_queue_dedup_by_expiry ON mlw_queue_dedup (expires_ms);
COMMIT;
)sql";

Status QueueDoesNotExist(const std::string& name) {
  return NotFound("The specified queue " + name + " does not exist", "QueueDoesNotExist");
}

// The configuration columns in the order of kInsertQueue/kUpdateQueue parameters $2..$10.
std::vector<pg::Value> ConfigParams(const QueueConfig& config) {
  std::vector<pg::Value> v = {int64_t{config.visibility_timeout}, int64_t{config.delay_seconds},
                              int64_t{config.maximum_message_size},
                              int64_t{config.message_retention_period},
                              int64_t{config.receive_message_wait_time_seconds}};
  if (config.redrive_policy) {
    v.emplace_back(config.redrive_policy->dead_letter_queue);
    v.emplace_back(config.redrive_policy->dead_letter_arn);
    v.emplace_back(int64_t{config.redrive_policy->max_receive_count});
  } else {
    v.insert(v.end(), 3, std::monostate{});
  }
  v.emplace_back(PassthroughToJson(config.passthrough));
  return v;
}

// `url` with `setting` added to every session's server settings (libpq "options").
pg::PgUrl WithSetting(pg::PgUrl url, const std::string& setting) {
  for (auto& [key, value] : url.keywords) {
    if (key == "options") {
      value += " " + setting;
      return url;
    }
  }
  url.keywords.emplace_back("options", setting);
  return url;
}

// The sessions of receives, deletes and visibility changes. Their statements only ever want index
// scans in index order (the claim reads the oldest visible rows of one queue by
// (queue_id, visible_ms), LIMIT n); but a queue table's statistics are nearly always stale — it
// was empty at the last ANALYZE and holds a backlog now — and the planner then prefers reading
// every row of the queue and sorting them, which costs O(backlog) per receive exactly when the
// backlog is large. Without sorts the claim can only be the ordered index scan.
pg::PgUrl AckUrl(const pg::PgUrl& url, bool durable) {
  pg::PgUrl ack = WithSetting(url, "-c enable_sort=off");
  return durable ? ack : WithSetting(ack, "-c synchronous_commit=off");
}

}  // namespace

PostgresQueueService::PostgresQueueService(const PostgresQueueOptions& options, pg::PgUrl url,
                                           const Clock& clock)
    : options_(options),
      url_(url),
      listen_url_(WithSetting(url, "-c synchronous_commit=off")),
      clock_(clock),
      pool_(url, pg::PgPoolOptions{options.max_connections, 30000, options.reconnect_timeout_ms}),
      ack_pool_(AckUrl(url, options.durable_acks),
                pg::PgPoolOptions{options.max_connections, 30000, options.reconnect_timeout_ms}) {}

Result<std::unique_ptr<PostgresQueueService>> PostgresQueueService::Open(
    const PostgresQueueOptions& options, const Clock& clock) {
  if (options.max_connections < 1 || options.cleanup_interval_seconds < 0 ||
      options.reconnect_timeout_ms < 0) {
    return InvalidArgument(
        "postgres queue: max_connections must be >= 1, "
        "cleanup_interval_seconds and reconnect_timeout_ms >= 0");
  }
  MLW_ASSIGN_OR_RETURN(pg::PgUrl url, pg::ParsePostgresUrl(options.url, {"queue"}));
  std::unique_ptr<PostgresQueueService> service(
      new PostgresQueueService(options, std::move(url), clock));
  MLW_RETURN_IF_ERROR(service->pool_.Warm());
  MLW_RETURN_IF_ERROR(service->InitSchema());
  // LISTEN before returning, so that no notification committed after Open can be missed.
  MLW_ASSIGN_OR_RETURN(service->listen_conn_, pg::PgConnection::Connect(service->listen_url_));
  MLW_RETURN_IF_ERROR(service->Listen(*service->listen_conn_));
  if (pipe2(service->wake_pipe_, O_NONBLOCK | O_CLOEXEC) != 0) {
    return Internal("postgres queue: pipe2() failed");
  }
  service->listener_ = std::thread([s = service.get()] { s->ListenerLoop(); });
  return service;
}

PostgresQueueService::~PostgresQueueService() {
  stopping_ = true;
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    for (auto& [name, waiters] : waiters_) waiters->cv.notify_all();
  }
  if (wake_pipe_[1] >= 0) {
    char byte = 1;
    (void)!write(wake_pipe_[1], &byte, 1);
  }
  if (listener_.joinable()) listener_.join();
  for (int fd : wake_pipe_) {
    if (fd >= 0) close(fd);
  }
}

Status PostgresQueueService::InitSchema() {
  return WithConnection([](Conn& conn) -> Status {
    Status s = conn.ExecScript(kSchema);
    if (!s.ok() && !conn.broken() && conn.InTransaction()) (void)conn.ExecScript("ROLLBACK");
    return s;
  });
}

Status PostgresQueueService::WithConnection(const std::function<Status(Conn&)>& fn) {
  return pool_
      .Run<bool>([&](Conn& conn) -> Result<bool> {
        MLW_RETURN_IF_ERROR(fn(conn));
        return true;
      })
      .status();
}

Status PostgresQueueService::WithAckConnection(const std::function<Status(Conn&)>& fn) {
  return ack_pool_
      .Run<bool>([&](Conn& conn) -> Result<bool> {
        MLW_RETURN_IF_ERROR(fn(conn));
        return true;
      })
      .status();
}

Status PostgresQueueService::Transaction(Conn& conn, const std::function<Status()>& body) {
  MLW_RETURN_IF_ERROR(conn.ExecScript("BEGIN"));
  Status s = body();
  if (s.ok() && conn.InFailedTransaction()) {
    s = Internal("a statement of the transaction failed; it was rolled back");
  }
  if (s.ok()) s = conn.ExecScript("COMMIT");
  if (!s.ok() && !conn.broken() && conn.InTransaction()) (void)conn.ExecScript("ROLLBACK");
  return s;
}

Status PostgresQueueService::Notify(Conn& conn, const ChangedQueues& queues) {
  for (const std::string& q : queues) {
    MLW_RETURN_IF_ERROR(conn.Execute("SELECT pg_notify('mlw_queue', $1)", {q}).status());
  }
  return Status::Ok();
}

Status PostgresQueueService::CheckDeadLetterTarget(Conn& conn, const std::string& queue,
                                                   const QueueConfig& config) {
  if (!config.redrive_policy) return Status::Ok();
  const std::string& target = config.redrive_policy->dead_letter_queue;
  if (target == queue) {
    return InvalidArgument(
        "Value for parameter RedrivePolicy is invalid. Reason: a queue cannot "
        "be its own dead-letter queue",
        "InvalidAttributeValue");
  }
  Result<QueueRow> dlq = LoadQueue(conn, target);
  if (!dlq.ok() && dlq.status().reason() == "QueueDoesNotExist") {
    return InvalidArgument(
        "Value for parameter RedrivePolicy is invalid. Reason: Dead letter "
        "target " +
            target + " does not exist",
        "InvalidAttributeValue");
  }
  return dlq.status();
}

Status PostgresQueueService::CreateQueue(const std::string& name,
                                         const QueueAttributes& attributes) {
  MLW_RETURN_IF_ERROR(ValidateQueueName(name));
  QueueConfig config;
  MLW_RETURN_IF_ERROR(ApplyQueueAttributes(attributes, &config));
  return WithConnection([&](Conn& conn) -> Status {
    // Two rounds at most: when a concurrent create wins the insert, compare against its queue.
    for (int round = 0; round < 2; ++round) {
      Result<QueueRow> existing = LoadQueue(conn, name);
      if (existing.ok()) {
        // As SQS: the attributes given must equal the queue's; others are not compared.
        QueueConfig merged = existing->config;
        MLW_RETURN_IF_ERROR(ApplyQueueAttributes(attributes, &merged));
        if (merged == existing->config) return Status::Ok();
        return Status(StatusCode::kAlreadyExists,
                      "A queue named " + name + " already exists with different attributes",
                      "QueueAlreadyExists");
      }
      if (existing.status().reason() != "QueueDoesNotExist") return existing.status();
      MLW_RETURN_IF_ERROR(CheckDeadLetterTarget(conn, name, config));
      std::vector<pg::Value> params = {name};
      for (pg::Value& v : ConfigParams(config)) params.push_back(std::move(v));
      params.emplace_back(clock_.NowSeconds());
      MLW_ASSIGN_OR_RETURN(
          pg::PgResult inserted,
          conn.Execute("INSERT INTO mlw_queue_queues (name, visibility_timeout, delay_seconds,"
                       " maximum_message_size, retention_seconds, receive_wait_seconds, dlq_name,"
                       " dlq_arn, max_receive_count, passthrough, created_s, modified_s) VALUES"
                       " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)"
                       " ON CONFLICT (name) DO NOTHING",
                       params));
      if (inserted.Affected() == 1) return Status::Ok();
    }
    return Unavailable("queue " + name + " was created and deleted concurrently; retry",
                       "DatabaseBusy");
  });
}

Status PostgresQueueService::DeleteQueue(const std::string& name) {
  Status s = WithConnection([&](Conn& conn) -> Status {
    return Transaction(conn, [&]() -> Status {
      // Messages and deduplication records go with it (ON DELETE CASCADE).
      MLW_ASSIGN_OR_RETURN(pg::PgResult r,
                           conn.Execute("DELETE FROM mlw_queue_queues WHERE name = $1", {name}));
      if (r.Affected() == 0) return QueueDoesNotExist(name);
      // Wakes waiters everywhere so they see QueueDoesNotExist; every service forgets the row.
      return Notify(conn, {name, ConfigChangedPayload(name)});
    });
  });
  ForgetQueue(name);
  if (s.ok()) Announce({name}, Wake::kAll);
  return s;
}

Result<std::vector<std::string>> PostgresQueueService::ListQueues(const std::string& prefix) {
  std::vector<std::string> names;
  MLW_RETURN_IF_ERROR(WithConnection([&](Conn& conn) -> Status {
    names.clear();
    MLW_ASSIGN_OR_RETURN(pg::PgResult r,
                         conn.Execute("SELECT name FROM mlw_queue_queues ORDER BY name"));
    for (int i = 0; i < r.rows(); ++i) {
      std::string_view name = r.Text(i, 0);
      if (name.substr(0, prefix.size()) == prefix) names.emplace_back(name);
    }
    return Status::Ok();
  }));
  return names;
}

Result<QueueAttributes> PostgresQueueService::GetQueueAttributes(
    const std::string& name, const std::vector<std::string>& names) {
  MLW_RETURN_IF_ERROR(ValidateRequestedAttributeNames(names));
  QueueAttributes out;
  MLW_RETURN_IF_ERROR(WithConnection([&](Conn& conn) -> Status {
    out.clear();
    MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, name));
    QueueAttributes all = ConfigToAttributes(q.config);
    all["CreatedTimestamp"] = std::to_string(q.created_s);
    all["LastModifiedTimestamp"] = std::to_string(q.modified_s);
    all["QueueArn"] = QueueArn(options_.region, name);
    const int64_t now = clock_.NowMillis();
    MLW_ASSIGN_OR_RETURN(
        pg::PgResult c,
        conn.Execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE visible_ms <= $2),"
                     " COUNT(*) FILTER (WHERE visible_ms > $2 AND receive_count > 0),"
                     " COUNT(*) FILTER (WHERE visible_ms > $2 AND receive_count = 0),"
                     " MIN(sent_ms) FROM mlw_queue_messages WHERE queue_id = $1 AND sent_ms > $3",
                     {q.id, now, now - q.config.message_retention_period * 1000LL}));
    int64_t visible = 0, in_flight = 0, delayed = 0, oldest_age_s = 0;
    if (c.rows() == 1 && c.Int(0, 0) > 0) {
      visible = c.Int(0, 1);
      in_flight = c.Int(0, 2);
      delayed = c.Int(0, 3);
      oldest_age_s = std::max<int64_t>(0, (now - c.Int(0, 4)) / 1000);
    }
    all["ApproximateNumberOfMessages"] = std::to_string(visible);
    all["ApproximateNumberOfMessagesNotVisible"] = std::to_string(in_flight);
    all["ApproximateNumberOfMessagesDelayed"] = std::to_string(delayed);
    all["ApproximateAgeOfOldestMessage"] = std::to_string(oldest_age_s);
    for (auto& [key, value] : all) {
      if (AttributeRequested(names, key)) out.emplace(key, std::move(value));
    }
    return Status::Ok();
  }));
  return out;
}

Status PostgresQueueService::SetQueueAttributes(const std::string& name,
                                                const QueueAttributes& attributes) {
  Status s = WithConnection([&](Conn& conn) -> Status {
    return Transaction(conn, [&]() -> Status {
      MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, name, Lookup::kForUpdate));
      QueueConfig config = q.config;
      MLW_RETURN_IF_ERROR(ApplyQueueAttributes(attributes, &config));
      MLW_RETURN_IF_ERROR(CheckDeadLetterTarget(conn, name, config));
      std::vector<pg::Value> params = {q.id};
      for (pg::Value& v : ConfigParams(config)) params.push_back(std::move(v));
      params.emplace_back(clock_.NowSeconds());
      MLW_RETURN_IF_ERROR(
          conn.Execute("UPDATE mlw_queue_queues SET visibility_timeout = $2, delay_seconds = $3,"
                       " maximum_message_size = $4, retention_seconds = $5,"
                       " receive_wait_seconds = $6, dlq_name = $7, dlq_arn = $8,"
                       " max_receive_count = $9, passthrough = $10, modified_s = $11"
                       " WHERE id = $1",
                       params)
              .status());
      // A shorter delay or retention can change what a waiter may get.
      return Notify(conn, {name, ConfigChangedPayload(name)});
    });
  });
  ForgetQueue(name);
  if (s.ok()) Announce({name}, Wake::kAll);
  return s;
}

Status PostgresQueueService::PurgeQueue(const std::string& queue) {
  return WithConnection([&](Conn& conn) -> Status {
    return Transaction(conn, [&]() -> Status {
      MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, queue, Lookup::kForUpdate));
      const int64_t now = clock_.NowMillis();
      if (q.last_purge_ms != 0 && now - q.last_purge_ms < kPurgeIntervalSeconds * 1000LL) {
        return FailedPrecondition("Only one PurgeQueue operation on " + queue +
                                      " is allowed every " + std::to_string(kPurgeIntervalSeconds) +
                                      " seconds",
                                  "PurgeQueueInProgress");
      }
      MLW_RETURN_IF_ERROR(
          conn.Execute("DELETE FROM mlw_queue_messages WHERE queue_id = $1", {q.id}).status());
      return conn
          .Execute("UPDATE mlw_queue_queues SET last_purge_ms = $2 WHERE id = $1", {q.id, now})
          .status();
    });
  });
}

Result<std::vector<std::string>> PostgresQueueService::ListDeadLetterSourceQueues(
    const std::string& dead_letter_queue) {
  std::vector<std::string> names;
  MLW_RETURN_IF_ERROR(WithConnection([&](Conn& conn) -> Status {
    names.clear();
    MLW_ASSIGN_OR_RETURN(QueueRow dlq, LoadQueue(conn, dead_letter_queue));
    MLW_ASSIGN_OR_RETURN(
        pg::PgResult r,
        conn.Execute("SELECT name FROM mlw_queue_queues WHERE dlq_name = $1 ORDER BY name",
                     {dlq.name}));
    for (int i = 0; i < r.rows(); ++i) names.emplace_back(r.Text(i, 0));
    return Status::Ok();
  }));
  return names;
}

Result<int64_t> PostgresQueueService::RunCleanup() {
  constexpr int64_t kChunk = 1000;
  int64_t deleted = 0;
  const int64_t now = clock_.NowMillis();
  for (int64_t n = kChunk; n == kChunk;) {
    MLW_RETURN_IF_ERROR(WithConnection([&](Conn& conn) -> Status {
      // SKIP LOCKED: a message a receiver holds right now is left for the next round.
      MLW_ASSIGN_OR_RETURN(
          pg::PgResult r,
          conn.Execute("DELETE FROM mlw_queue_messages WHERE seq IN (SELECT m.seq FROM"
                       " mlw_queue_messages m JOIN mlw_queue_queues q ON q.id = m.queue_id"
                       " WHERE m.sent_ms <= $1 - q.retention_seconds * 1000::BIGINT LIMIT $2"
                       " FOR UPDATE OF m SKIP LOCKED)",
                       {now, kChunk}));
      n = r.Affected();
      return Status::Ok();
    }));
    deleted += n;
  }
  MLW_RETURN_IF_ERROR(WithConnection([&](Conn& conn) -> Status {
    return conn.Execute("DELETE FROM mlw_queue_dedup WHERE expires_ms <= $1", {now}).status();
  }));
  if (deleted > 0) log::Info("queue_cleanup", {{"expired_messages", deleted}});
  return deleted;
}

}  // namespace mlw::queue
