// SqliteQueueService: the embedded QueueService. Many queues live in one SQLite file in WAL mode
// (layout and durability model: docs/queue-storage.md). Several services, in this process or in
// other processes, may share the file.
//
// Thread-safety: every method may be called from any thread. Write transactions of one service are
// serialized by an in-process mutex (so threads do not spin in SQLite's busy handler) and use
// BEGIN IMMEDIATE against other processes; reads run concurrently on pooled connections.
//
// Waiting: a long poll waits on a condition variable that sends, visibility changes and redrives of
// this service signal directly. Changes by other connections to the file (other services, other
// processes) are noticed by one watcher thread per service that reads PRAGMA data_version every
// `watch_interval_ms` while a receive is waiting or an availability listener is registered, and
// otherwise sleeps. The same thread deletes expired messages every `cleanup_interval_seconds`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <chrono>
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
#include "queue/queue.h"
#include "queue/queue_validation.h"
#include "queue/sqlite_queue_db.h"

namespace mlw::queue {

struct SqliteQueueOptions {
  // The database file; its parent directory must exist. Created with the schema when missing.
  std::string path;
  // Region written into QueueArn and accepted in RedrivePolicy ARNs (any region is accepted).
  std::string region = "us-east-1";
  // false (default): synchronous=NORMAL — a returned send survives a crash or kill -9 of any
  // process, but the latest commits can be lost on power loss or OS crash. true: synchronous=FULL,
  // which also survives power loss at the cost of an fsync per write transaction.
  bool sync_full = false;
  // How long a write waits for another process's write transaction before failing (Unavailable).
  int busy_timeout_ms = 10000;
  // Period of PRAGMA data_version checks while someone waits (cross-process wake-up latency).
  int watch_interval_ms = 25;
  // Period of the background deletion of expired messages and deduplication records; 0 disables it
  // (RunCleanup() can still be called).
  int cleanup_interval_seconds = 60;
};

class SqliteQueueService final : public QueueService {
 public:
  // Opens or creates the file and its schema. `clock` must outlive the service; it drives
  // visibility, delays, retention and deduplication (long-poll waits use real time).
  static Result<std::unique_ptr<SqliteQueueService>> Open(const SqliteQueueOptions& options,
                                                          const Clock& clock);
  ~SqliteQueueService() override;

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
  // small transactions. Returns the number of messages deleted.
  Result<int64_t> RunCleanup();

 private:
  // One row of the `queues` table.
  struct QueueRow {
    int64_t id = 0;
    std::string name;
    QueueConfig config;
    int64_t created_s = 0;
    int64_t modified_s = 0;
    int64_t last_purge_ms = 0;
  };
  // Queues whose waiters and listeners must hear about new messages once a transaction commits.
  using ChangedQueues = std::vector<std::string>;
  struct ReceiveAttempt {
    std::vector<Message> messages;
    // When nothing was available: the earliest time (clock ms) a message becomes visible, if any.
    std::optional<int64_t> next_visible_ms;
  };

  SqliteQueueService(const SqliteQueueOptions& options, const Clock& clock);
  Status InitSchema();

  // Runs `body` in a BEGIN IMMEDIATE transaction under write_mu_, commits when it returns OK and
  // rolls back otherwise; then announces the queues it added to `changed`.
  Status InWriteTransaction(const std::function<Status(SqliteConnection&, ChangedQueues*)>& body);
  // QueueDoesNotExist when there is no such queue.
  static Result<QueueRow> LoadQueue(SqliteConnection& conn, const std::string& name);
  static Status BumpChangeVersion(SqliteConnection& conn, int64_t queue_id);
  Status CheckDeadLetterTarget(SqliteConnection& conn, const std::string& queue,
                               const QueueConfig& config);
  Status WriteQueueConfig(SqliteConnection& conn, int64_t id, const QueueConfig& config);

  // `queue_id` is the id `queue` had when the receive started.
  Result<ReceiveAttempt> TryReceive(const std::string& queue, int64_t queue_id, int max_messages,
                                    int visibility);
  // Within a write transaction: takes up to `max` messages, dropping expired ones and moving those
  // over maxReceiveCount to the dead-letter queue.
  Status ReceiveInTransaction(SqliteConnection& conn, const std::string& queue, int max,
                              int visibility, std::vector<Message>* out, ChangedQueues* changed);
  // Shared by DeleteMessageBatch and ChangeMessageVisibilityBatch.
  Result<BatchOutcome<std::string>> ApplyHandles(const std::string& queue,
                                                 const std::vector<HandleEntry>& entries,
                                                 bool delete_message);

  // Waiting and notification (sqlite_queue_notify.cc).
  void Announce(const ChangedQueues& queues);
  uint64_t QueueVersion(const std::string& queue);
  // Waits until `queue` changes from `seen`, the service stops, or `until`.
  void WaitForChange(const std::string& queue, uint64_t seen,
                     std::chrono::steady_clock::time_point until);
  void WatcherLoop();
  Status PollOtherWriters(SqliteConnection& conn, int64_t* last_data_version,
                          std::map<std::string, int64_t>* last_versions);

  const SqliteQueueOptions options_;
  const Clock& clock_;
  SqliteConnectionPool pool_;
  std::mutex write_mu_;  // held for the whole of every write transaction of this service
  // The one connection write transactions use, so that its page cache stays warm across them
  // (pooled connections would re-read every page another connection changed). Guarded by write_mu_.
  std::unique_ptr<SqliteConnection> writer_;

  std::mutex wait_mu_;
  std::condition_variable wait_cv_;     // waiters: a queue's version changed or stopping_
  std::condition_variable watcher_cv_;  // watcher: a waiter arrived or stopping_
  std::unordered_map<std::string, uint64_t> versions_;  // guarded by wait_mu_
  int waiters_ = 0;                                     // guarded by wait_mu_
  bool stopping_ = false;                               // guarded by wait_mu_

  std::mutex listeners_mu_;  // held while listeners run, so Remove waits for a running call
  std::map<uint64_t, AvailabilityListener> listeners_;  // guarded by listeners_mu_
  uint64_t next_listener_id_ = 1;                       // guarded by listeners_mu_
  std::atomic<int> listener_count_{0};

  std::thread watcher_;
};

}  // namespace mlw::queue
