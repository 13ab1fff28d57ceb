// PostgresQueueService: the QueueService on PostgreSQL, for many worker processes on many machines
// sharing one server. Queues live in three tables (mlw_queue_queues, mlw_queue_messages,
// mlw_queue_dedup) created on open if missing; layout and claim protocol in docs/postgres.md.
//
// Semantics are those of SqliteQueueService (the same conformance suite): all times come from the
// injected Clock, never from the server's now(). Receives claim rows with
// `FOR UPDATE SKIP LOCKED`, so concurrent receivers in any process never share a message and never
// wait on each other. Every change that can make messages available is announced with
// `NOTIFY mlw_queue, '<queue>'`; one LISTEN connection per service wakes long polls and
// availability listeners when any process commits such a change. Sends, visibility changes and
// dead-letter moves wake this service's waiters at once and other processes' after their commit:
// the LISTEN thread sends their NOTIFYs, coalesced, in its own asynchronously committed
// transaction, because a transaction that notifies holds a database-wide lock through its commit
// (WAL flush included), which would serialize every durable send of every process. A notification
// lost with a crash between the commit and the NOTIFY only delays a remote long poll: waiters
// re-check at least once a second.
//
// Durability: a send that returned OK is committed on the server (with the server's own
// synchronous_commit setting). Receives, deletes and visibility changes commit asynchronously
// (synchronous_commit=off on their own connections) unless `durable_acks` is set: a server crash
// can undo the last fraction of a second of them, which only means a message is delivered again
// (at-least-once) — never that one is lost. Connections lost to a server restart or fail-over are
// replaced with backoff; an operation that failed because its connection dropped is retried once on
// a new one (at-least-once delivery absorbs the rare repeat).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "queue/postgres_queue_pool.h"
#include "queue/queue.h"
#include "queue/queue_validation.h"

namespace mlw::queue {

struct PostgresQueueOptions {
  // postgresql://user@host:port/db[?libpq parameters] (see postgres_queue_url.h).
  std::string url;
  // Region written into QueueArn.
  std::string region = "us-east-1";
  // Pooled connections for queue operations (the LISTEN connection comes on top).
  int max_connections = 16;
  // How long an operation keeps trying to reach an unreachable server before kUnavailable.
  int reconnect_timeout_ms = 10000;
  // Period of the background deletion of expired messages and deduplication records; 0 disables
  // it (RunCleanup() can still be called).
  int cleanup_interval_seconds = 60;
  // true: receives, deletes and visibility changes wait for their commit to be flushed like sends.
  // false (default): they commit asynchronously, on a second pool of up to `max_connections`.
  bool durable_acks = false;
  // How long sends, receives, deletes and visibility changes reuse a queue's row (id and
  // attributes) without reading it again, milliseconds; 0 reads it on every call. Changes made
  // through this service apply at once; changes by other processes reach it through a NOTIFY, or
  // within this time if that notification is lost (SQS allows attribute changes up to 60 s to
  // propagate). Default 1000.
  int queue_cache_ms = 1000;
};

class PostgresQueueService final : public QueueService {
 public:
  // Connects (failing at once with a clear error for a bad URL or an unreachable server), creates
  // the tables if missing and starts the LISTEN thread. `clock` must outlive the service.
  static Result<std::unique_ptr<PostgresQueueService>> Open(const PostgresQueueOptions& options,
                                                            const Clock& clock);
  ~PostgresQueueService() override;

  Status CreateQueue(const std::string& name, const QueueAttributes& attributes) override;
  Status DeleteQueue(const std::string& name) override;
  Result<std::vector<std::string>> ListQueues(const std::string& prefix) override;
  Result<QueueAttributes> GetQueueAttributes(const std::string& name,
                                             const std::vector<std::string>& names) override;
  Status SetQueueAttributes(const std::string& name, const QueueAttributes& attributes) override;
  Result<BatchOutcome<SendResult>> SendMessageBatch(const std::string& queue,
                                                    const std::vector<SendEntry>& entries) override;
  Result<std::vector<Message>> ReceiveMessage(const std::string& queue,
                                              const ReceiveOptions& options) override;
  Result<BatchOutcome<std::string>> DeleteMessageBatch(
      const std::string& queue, const std::vector<HandleEntry>& entries) override;
  Result<BatchOutcome<std::string>> ChangeMessageVisibilityBatch(
      const std::string& queue, const std::vector<HandleEntry>& entries) override;
  Status PurgeQueue(const std::string& queue) override;
  Result<std::vector<std::string>> ListDeadLetterSourceQueues(
      const std::string& dead_letter_queue) override;
  Result<MoveTaskResult> StartMessageMoveTask(const std::string& dead_letter_queue,
                                              const std::string& destination) override;
  uint64_t AddAvailabilityListener(AvailabilityListener listener) override;
  void RemoveAvailabilityListener(uint64_t listener_id) override;

  // Deletes messages past their queue's retention period and expired deduplication records, in
  // chunks. Returns the number of messages deleted.
  Result<int64_t> RunCleanup();

 private:
  struct QueueRow {
    int64_t id = 0;
    std::string name;
    QueueConfig config;
    int64_t created_s = 0;
    int64_t modified_s = 0;
    int64_t last_purge_ms = 0;
  };
  using ChangedQueues = std::vector<std::string>;
  using Conn = pg::PgConnection;

  PostgresQueueService(const PostgresQueueOptions& options, pg::PgUrl url, const Clock& clock);
  Status InitSchema();

  // Runs `fn` on a pooled connection, once more on a fresh one if the connection was lost.
  Status WithConnection(const std::function<Status(Conn&)>& fn);
  // The same on the pool for receives, deletes and visibility changes (see durable_acks).
  Status WithAckConnection(const std::function<Status(Conn&)>& fn);
  // BEGIN; body; COMMIT on `conn` — rolled back when `body` or COMMIT fails.
  static Status Transaction(Conn& conn, const std::function<Status()>& body);
  // How LoadQueue reads the queue row: from the database, from the database locking the row until
  // the transaction ends (serializes purges and attribute changes), or from the cache when fresh.
  enum class Lookup { kFresh, kForUpdate, kCached };
  // QueueDoesNotExist when there is no such queue (postgres_queue_lookup.cc).
  Result<QueueRow> LoadQueue(Conn& conn, const std::string& name, Lookup lookup = Lookup::kFresh);
  // Drops the cached row of `name` (all rows when empty), after a change or a lost notification.
  void ForgetQueue(const std::string& name);
  // The NOTIFY payload that tells every service to forget its cached row of `name`. Queue names
  // cannot contain ':', so it never collides with the payload of a change in a queue.
  static std::string ConfigChangedPayload(const std::string& name) { return "config:" + name; }
  Status CheckDeadLetterTarget(Conn& conn, const std::string& queue, const QueueConfig& config);
  // Queues the NOTIFY of `queues` on `conn` (delivered when its transaction commits).
  static Status Notify(Conn& conn, const ChangedQueues& queues);
  // Has the LISTEN thread NOTIFY `queues` to other processes soon, after the caller's commit
  // (postgres_queue_notify.cc). Local waiters are the caller's to Announce.
  void NotifyLater(const ChangedQueues& queues);
  // Sends the NOTIFYs NotifyLater queued, on the LISTEN connection; they stay queued on failure.
  // Returns whether there were any.
  bool SendPendingNotifications(Conn& conn);

  // One claim statement over the `max` oldest visible messages no other receiver holds: those over
  // maxReceiveCount move to the dead-letter queue, those past retention are deleted, the rest are
  // taken into `out`. Returns how many were moved or deleted (the caller tries again at once when
  // it got nothing). `next_visible_ms` is set when nothing was taken and a message will become
  // visible later; `more_visible` tells whether messages beyond those looked at were visible.
  Result<int64_t> TryReceive(Conn& conn, const std::string& queue, int max,
                             std::optional<int> visibility, std::vector<Message>* out,
                             std::optional<int64_t>* next_visible_ms, bool* more_visible,
                             ChangedQueues* changed);
  Result<BatchOutcome<std::string>> ApplyHandles(const std::string& queue,
                                                 const std::vector<HandleEntry>& entries,
                                                 bool delete_message);

  // Waiting and notification (postgres_queue_notify.cc). A change that adds messages wakes one
  // long poll of the queue (kOne); the one woken passes the wake-up on when it saw more
  // visible messages than it looked at (PassOn), so a batch of sends wakes as many receivers as it
  // feeds instead of all of them. A change every waiter must see (queue deleted or reconfigured,
  // notifications lost) wakes all.
  enum class Wake { kOne, kAll };
  void Announce(const ChangedQueues& queues, Wake wake = Wake::kOne);
  void PassOn(const std::string& queue);
  uint64_t QueueVersion(const std::string& queue);
  void WaitForChange(const std::string& queue, uint64_t seen,
                     std::chrono::steady_clock::time_point until);
  Status Listen(Conn& conn);
  void ListenerLoop();
  void AnnounceAll();

  const PostgresQueueOptions options_;
  const pg::PgUrl url_;
  const pg::PgUrl listen_url_;  // url_ with asynchronous commits (it only sends NOTIFYs)
  const Clock& clock_;
  pg::PgPool pool_;
  pg::PgPool ack_pool_;  // asynchronous commits unless durable_acks

  struct CachedQueue {
    QueueRow row;
    std::chrono::steady_clock::time_point loaded;
  };
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedQueue> cache_;  // guarded by cache_mu_

  // A queue's change counter and its parked long polls; entries live as long as the service.
  struct Waiters {
    uint64_t version = 0;
    std::condition_variable cv;
  };
  Waiters& WaitersOf(const std::string& queue);  // REQUIRES: wait_mu_ held
  std::mutex wait_mu_;
  std::unordered_map<std::string, std::unique_ptr<Waiters>> waiters_;  // guarded by wait_mu_

  std::mutex listeners_mu_;  // held while listeners run, so Remove waits for a running call
  std::map<uint64_t, AvailabilityListener> listeners_;  // guarded by listeners_mu_
  uint64_t next_listener_id_ = 1;                       // guarded by listeners_mu_
  std::atomic<int> listener_count_{0};

  std::mutex notify_mu_;
  ChangedQueues pending_notify_;  // guarded by notify_mu_; NOTIFYs for the LISTEN thread to send

  std::unique_ptr<Conn> listen_conn_;  // owned by the listener thread once it runs
  // Wakes the listener thread: written (non-blocking) by the destructor and when NOTIFYs become
  // pending.
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::thread listener_;
};

// Makes OpenQueueService accept postgresql:// and postgres:// URLs (`?queue=<name>` names the
// default queue, `durable_acks=true|false` sets PostgresQueueOptions::durable_acks; other query
// parameters go to libpq). Call once at start-up.
void RegisterPostgresQueueBackend();

}  // namespace mlw::queue
