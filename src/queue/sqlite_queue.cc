// SqliteQueueService: opening, schema and queue administration. Message operations are in
// sqlite_queue_messages.cc, waiting and notification in sqlite_queue_notify.cc.
#include "queue/sqlite_queue.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "core/log.h"

namespace mlw::queue {
namespace {

// Schema version 1. Times are milliseconds (suffix _ms) or seconds (_s) of the injected clock.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS queues (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
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
  created_s INTEGER NOT NULL,
  modified_s INTEGER NOT NULL,
  last_purge_ms INTEGER NOT NULL DEFAULT 0,
  change_version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queues_by_dlq ON queues(dlq_name);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_id INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  body BLOB NOT NULL,
  attributes BLOB NOT NULL,
  md5_body TEXT NOT NULL,
  md5_attributes TEXT NOT NULL,
  sent_ms INTEGER NOT NULL,
  visible_ms INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_ms INTEGER NOT NULL DEFAULT 0,
  nonce INTEGER NOT NULL DEFAULT 0,
  source_queue TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_visibility
  ON messages(queue_id, visible_ms, receive_count, sent_ms);
CREATE INDEX IF NOT EXISTS messages_by_age ON messages(queue_id, sent_ms);
CREATE TABLE IF NOT EXISTS dedup (
  queue_id INTEGER NOT NULL,
  dedup_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY (queue_id, dedup_id)
) WITHOUT ROWID;
PRAGMA user_version = 1;
)sql";

constexpr const char* kSelectQueue =
    "SELECT id, name, visibility_timeout, delay_seconds, maximum_message_size, retention_seconds,"
    " receive_wait_seconds, dlq_name, dlq_arn, max_receive_count, passthrough, created_s,"
    " modified_s, last_purge_ms FROM queues WHERE name = ?1";

constexpr int64_t kSchemaVersion = 1;

// A file written by a newer mlworker must not be reinterpreted by this one.
Status CheckSchemaVersion(SqliteConnection& conn) {
  MLW_ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare("PRAGMA user_version"));
  MLW_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (row && stmt.Int(0) > kSchemaVersion) {
    return FailedPrecondition("the queue file has schema version " + std::to_string(stmt.Int(0)) +
                              ", newer than this mlworker understands (" +
                              std::to_string(kSchemaVersion) + "); upgrade mlworker");
  }
  return Status::Ok();
}

Status QueueDoesNotExist(const std::string& name) {
  return NotFound("The specified queue " + name + " does not exist", "QueueDoesNotExist");
}

}  // namespace

SqliteQueueService::SqliteQueueService(const SqliteQueueOptions& options, const Clock& clock)
    : options_(options),
      clock_(clock),
      pool_(SqliteOpenOptions{options.path, options.sync_full, options.busy_timeout_ms},
            /*max_idle=*/16) {}

Result<std::unique_ptr<SqliteQueueService>> SqliteQueueService::Open(
    const SqliteQueueOptions& options, const Clock& clock) {
  if (options.path.empty()) return InvalidArgument("sqlite queue: the database path is empty");
  if (options.watch_interval_ms <= 0 || options.cleanup_interval_seconds < 0) {
    return InvalidArgument(
        "sqlite queue: watch_interval_ms must be > 0 and "
        "cleanup_interval_seconds >= 0");
  }
  std::unique_ptr<SqliteQueueService> service(new SqliteQueueService(options, clock));
  MLW_RETURN_IF_ERROR(service->InitSchema());
  service->watcher_ = std::thread([s = service.get()] { s->WatcherLoop(); });
  return service;
}

SqliteQueueService::~SqliteQueueService() {
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    stopping_ = true;
  }
  wait_cv_.notify_all();
  watcher_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

Status SqliteQueueService::InitSchema() {
  std::lock_guard<std::mutex> lock(write_mu_);
  MLW_ASSIGN_OR_RETURN(writer_, SqliteConnection::Open(SqliteOpenOptions{
                                    options_.path, options_.sync_full, options_.busy_timeout_ms}));
  MLW_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
  Status s = CheckSchemaVersion(*writer_);
  if (s.ok()) s = writer_->Exec(kSchema);
  if (!s.ok()) {
    (void)writer_->Exec("ROLLBACK");
    return s;
  }
  return writer_->Exec("COMMIT");
}

Status SqliteQueueService::InWriteTransaction(
    const std::function<Status(SqliteConnection&, ChangedQueues*)>& body) {
  ChangedQueues changed;
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    SqliteConnection& conn = *writer_;
    MLW_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
    Status s = body(conn, &changed);
    if (s.ok()) s = conn.Exec("COMMIT");
    if (!s.ok()) {
      (void)conn.Exec("ROLLBACK");  // fails harmlessly when COMMIT already ended the transaction
      return s;
    }
  }
  if (!changed.empty()) Announce(changed);
  return Status::Ok();
}

Result<SqliteQueueService::QueueRow> SqliteQueueService::LoadQueue(SqliteConnection& conn,
                                                                   const std::string& name) {
  MLW_ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kSelectQueue));
  stmt.BindText(1, name);
  MLW_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return QueueDoesNotExist(name);
  QueueRow q;
  q.id = stmt.Int(0);
  q.name = stmt.Text(1);
  q.config.visibility_timeout = static_cast<int>(stmt.Int(2));
  q.config.delay_seconds = static_cast<int>(stmt.Int(3));
  q.config.maximum_message_size = static_cast<int>(stmt.Int(4));
  q.config.message_retention_period = static_cast<int>(stmt.Int(5));
  q.config.receive_message_wait_time_seconds = static_cast<int>(stmt.Int(6));
  if (!stmt.IsNull(7)) {
    q.config.redrive_policy =
        RedrivePolicy{stmt.Text(7), stmt.Text(8), static_cast<int>(stmt.Int(9))};
  }
  std::string passthrough = stmt.Text(10);
  if (passthrough != "{}") q.config.passthrough = PassthroughFromJson(passthrough);
  q.created_s = stmt.Int(11);
  q.modified_s = stmt.Int(12);
  q.last_purge_ms = stmt.Int(13);
  return q;
}

Status SqliteQueueService::BumpChangeVersion(SqliteConnection& conn, int64_t queue_id) {
  MLW_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      conn.Prepare("UPDATE queues SET change_version = change_version + 1 WHERE id = ?1"));
  return stmt.Bind(1, queue_id).Run();
}

Status SqliteQueueService::CheckDeadLetterTarget(SqliteConnection& conn, const std::string& queue,
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

Status SqliteQueueService::WriteQueueConfig(SqliteConnection& conn, int64_t id,
                                            const QueueConfig& config) {
  MLW_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      conn.Prepare("UPDATE queues SET visibility_timeout = ?2, delay_seconds = ?3,"
                   " maximum_message_size = ?4, retention_seconds = ?5, receive_wait_seconds = ?6,"
                   " dlq_name = ?7, dlq_arn = ?8, max_receive_count = ?9, passthrough = ?10,"
                   " modified_s = ?11, change_version = change_version + 1 WHERE id = ?1"));
  stmt.Bind(1, id)
      .Bind(2, config.visibility_timeout)
      .Bind(3, config.delay_seconds)
      .Bind(4, config.maximum_message_size)
      .Bind(5, config.message_retention_period)
      .Bind(6, config.receive_message_wait_time_seconds)
      .BindText(10, PassthroughToJson(config.passthrough))
      .Bind(11, clock_.NowSeconds());
  if (config.redrive_policy) {
    stmt.BindText(7, config.redrive_policy->dead_letter_queue)
        .BindText(8, config.redrive_policy->dead_letter_arn)
        .Bind(9, config.redrive_policy->max_receive_count);
  } else {
    stmt.BindNull(7).BindNull(8).BindNull(9);
  }
  return stmt.Run();
}

Status SqliteQueueService::CreateQueue(const std::string& name, const QueueAttributes& attributes) {
  MLW_RETURN_IF_ERROR(ValidateQueueName(name));
  QueueConfig config;
  MLW_RETURN_IF_ERROR(ApplyQueueAttributes(attributes, &config));
  return InWriteTransaction([&](SqliteConnection& conn, ChangedQueues*) -> Status {
    Result<QueueRow> existing = LoadQueue(conn, name);
    if (existing.ok()) {
      // As SQS: the attributes given must equal the queue's; attributes not given are not compared.
      QueueConfig merged = existing->config;
      MLW_RETURN_IF_ERROR(ApplyQueueAttributes(attributes, &merged));
      if (merged == existing->config) return Status::Ok();
      return Status(StatusCode::kAlreadyExists,
                    "A queue named " + name + " already exists with different attributes",
                    "QueueAlreadyExists");
    }
    if (existing.status().reason() != "QueueDoesNotExist") return existing.status();
    MLW_RETURN_IF_ERROR(CheckDeadLetterTarget(conn, name, config));
    MLW_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        conn.Prepare("INSERT INTO queues (name, visibility_timeout, delay_seconds,"
                     " maximum_message_size, retention_seconds, receive_wait_seconds, created_s,"
                     " modified_s) VALUES (?1, 0, 0, 0, 0, 0, ?2, ?2)"));
    MLW_RETURN_IF_ERROR(insert.BindText(1, name).Bind(2, clock_.NowSeconds()).Run());
    return WriteQueueConfig(conn, conn.LastInsertRowId(), config);
  });
}

Status SqliteQueueService::DeleteQueue(const std::string& name) {
  return InWriteTransaction([&](SqliteConnection& conn, ChangedQueues* changed) -> Status {
    MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, name));
    MLW_ASSIGN_OR_RETURN(SqliteStatement msgs,
                         conn.Prepare("DELETE FROM messages WHERE queue_id = ?1"));
    MLW_RETURN_IF_ERROR(msgs.Bind(1, q.id).Run());
    MLW_ASSIGN_OR_RETURN(SqliteStatement dedup,
                         conn.Prepare("DELETE FROM dedup WHERE queue_id = ?1"));
    MLW_RETURN_IF_ERROR(dedup.Bind(1, q.id).Run());
    MLW_ASSIGN_OR_RETURN(SqliteStatement queue, conn.Prepare("DELETE FROM queues WHERE id = ?1"));
    MLW_RETURN_IF_ERROR(queue.Bind(1, q.id).Run());
    changed->push_back(name);  // wakes its waiters so they see QueueDoesNotExist
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqliteQueueService::ListQueues(const std::string& prefix) {
  MLW_ASSIGN_OR_RETURN(SqliteConnectionPool::Lease conn, pool_.Acquire());
  MLW_ASSIGN_OR_RETURN(SqliteStatement stmt,
                       conn->Prepare("SELECT name FROM queues ORDER BY name"));
  std::vector<std::string> names;
  for (;;) {
    MLW_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string name = stmt.Text(0);
    if (name.compare(0, prefix.size(), prefix) == 0) names.push_back(std::move(name));
  }
  return names;
}

Result<QueueAttributes> SqliteQueueService::GetQueueAttributes(
    const std::string& name, const std::vector<std::string>& names) {
  MLW_RETURN_IF_ERROR(ValidateRequestedAttributeNames(names));
  MLW_ASSIGN_OR_RETURN(SqliteConnectionPool::Lease conn, pool_.Acquire());
  // One read transaction, so that the counters and the configuration are one snapshot.
  MLW_RETURN_IF_ERROR(conn->Exec("BEGIN"));
  struct Rollback {
    SqliteConnection& c;
    ~Rollback() { (void)c.Exec("ROLLBACK"); }
  } rollback{*conn};
  MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(*conn, name));
  QueueAttributes all = ConfigToAttributes(q.config);
  all["CreatedTimestamp"] = std::to_string(q.created_s);
  all["LastModifiedTimestamp"] = std::to_string(q.modified_s);
  all["QueueArn"] = QueueArn(options_.region, name);
  // The counters read every message of the queue (about 0.3 µs each): only when asked for. A
  // worker starting on a long queue asks for its redrive policy alone.
  constexpr const char* kCounters[] = {
      "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
      "ApproximateNumberOfMessagesDelayed", "ApproximateAgeOfOldestMessage"};
  if (std::any_of(std::begin(kCounters), std::end(kCounters),
                  [&](const char* c) { return AttributeRequested(names, c); })) {
    const int64_t now = clock_.NowMillis();
    MLW_ASSIGN_OR_RETURN(SqliteStatement counts,
                         conn->Prepare("SELECT COUNT(*), TOTAL(visible_ms <= ?2),"
                                       " TOTAL(visible_ms > ?2 AND receive_count > 0),"
                                       " TOTAL(visible_ms > ?2 AND receive_count = 0), MIN(sent_ms)"
                                       " FROM messages INDEXED BY messages_by_visibility"
                                       " WHERE queue_id = ?1 AND sent_ms > ?3"));
    counts.Bind(1, q.id).Bind(2, now).Bind(3, now - q.config.message_retention_period * 1000LL);
    MLW_ASSIGN_OR_RETURN(bool row, counts.Step());
    int64_t visible = 0, in_flight = 0, delayed = 0, oldest_age_s = 0;
    if (row && counts.Int(0) > 0) {
      visible = counts.Int(1);
      in_flight = counts.Int(2);
      delayed = counts.Int(3);
      oldest_age_s = std::max<int64_t>(0, (now - counts.Int(4)) / 1000);
    }
    all["ApproximateNumberOfMessages"] = std::to_string(visible);
    all["ApproximateNumberOfMessagesNotVisible"] = std::to_string(in_flight);
    all["ApproximateNumberOfMessagesDelayed"] = std::to_string(delayed);
    all["ApproximateAgeOfOldestMessage"] = std::to_string(oldest_age_s);
  }
  QueueAttributes out;
  for (auto& [key, value] : all) {
    if (AttributeRequested(names, key)) out.emplace(key, std::move(value));
  }
  return out;
}

Status SqliteQueueService::SetQueueAttributes(const std::string& name,
                                              const QueueAttributes& attributes) {
  return InWriteTransaction([&](SqliteConnection& conn, ChangedQueues* changed) -> Status {
    MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, name));
    QueueConfig config = q.config;
    MLW_RETURN_IF_ERROR(ApplyQueueAttributes(attributes, &config));
    MLW_RETURN_IF_ERROR(CheckDeadLetterTarget(conn, name, config));
    MLW_RETURN_IF_ERROR(WriteQueueConfig(conn, q.id, config));
    changed->push_back(name);  // a shorter delay or retention can change what a waiter may get
    return Status::Ok();
  });
}

Status SqliteQueueService::PurgeQueue(const std::string& queue) {
  return InWriteTransaction([&](SqliteConnection& conn, ChangedQueues*) -> Status {
    MLW_ASSIGN_OR_RETURN(QueueRow q, LoadQueue(conn, queue));
    const int64_t now = clock_.NowMillis();
    if (q.last_purge_ms != 0 && now - q.last_purge_ms < kPurgeIntervalSeconds * 1000LL) {
      return FailedPrecondition("Only one PurgeQueue operation on " + queue + " is allowed every " +
                                    std::to_string(kPurgeIntervalSeconds) + " seconds",
                                "PurgeQueueInProgress");
    }
    MLW_ASSIGN_OR_RETURN(SqliteStatement del,
                         conn.Prepare("DELETE FROM messages WHERE queue_id = ?1"));
    MLW_RETURN_IF_ERROR(del.Bind(1, q.id).Run());
    MLW_ASSIGN_OR_RETURN(SqliteStatement mark,
                         conn.Prepare("UPDATE queues SET last_purge_ms = ?2 WHERE id = ?1"));
    return mark.Bind(1, q.id).Bind(2, now).Run();
  });
}

Result<std::vector<std::string>> SqliteQueueService::ListDeadLetterSourceQueues(
    const std::string& dead_letter_queue) {
  MLW_ASSIGN_OR_RETURN(SqliteConnectionPool::Lease conn, pool_.Acquire());
  MLW_ASSIGN_OR_RETURN(QueueRow dlq, LoadQueue(*conn, dead_letter_queue));
  MLW_ASSIGN_OR_RETURN(SqliteStatement stmt,
                       conn->Prepare("SELECT name FROM queues WHERE dlq_name = ?1 ORDER BY name"));
  stmt.BindText(1, dlq.name);
  std::vector<std::string> names;
  for (;;) {
    MLW_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    names.push_back(stmt.Text(0));
  }
  return names;
}

Result<int64_t> SqliteQueueService::RunCleanup() {
  // (queue id, retention) pairs first, then one short transaction per chunk, so that cleanup never
  // holds the write lock for long.
  std::vector<std::pair<int64_t, int64_t>> queues;
  {
    MLW_ASSIGN_OR_RETURN(SqliteConnectionPool::Lease conn, pool_.Acquire());
    MLW_ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn->Prepare("SELECT id, retention_seconds FROM queues"));
    for (;;) {
      MLW_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      queues.emplace_back(stmt.Int(0), stmt.Int(1));
    }
  }
  constexpr int64_t kChunk = 1000;
  int64_t deleted = 0;
  for (const auto& [id, retention_s] : queues) {
    for (int64_t n = kChunk; n == kChunk;) {
      MLW_RETURN_IF_ERROR(InWriteTransaction([&](SqliteConnection& conn, ChangedQueues*) {
        MLW_ASSIGN_OR_RETURN(
            SqliteStatement del,
            conn.Prepare("DELETE FROM messages WHERE seq IN (SELECT seq FROM messages"
                         " WHERE queue_id = ?1 AND sent_ms <= ?2 LIMIT ?3)"));
        MLW_RETURN_IF_ERROR(
            del.Bind(1, id).Bind(2, clock_.NowMillis() - retention_s * 1000).Bind(3, kChunk).Run());
        n = conn.Changes();
        return Status::Ok();
      }));
      deleted += n;
    }
  }
  MLW_RETURN_IF_ERROR(InWriteTransaction([&](SqliteConnection& conn, ChangedQueues*) {
    MLW_ASSIGN_OR_RETURN(SqliteStatement del,
                         conn.Prepare("DELETE FROM dedup WHERE expires_ms <= ?1"));
    return del.Bind(1, clock_.NowMillis()).Run();
  }));
  if (deleted > 0) log::Info("queue_cleanup", {{"expired_messages", deleted}});
  return deleted;
}

}  // namespace mlw::queue
