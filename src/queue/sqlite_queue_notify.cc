// SqliteQueueService: long-poll waiting, availability listeners, and the watcher thread that
// notices other writers of the file and runs the periodic cleanup.
#include <utility>

#include "core/log.h"
#include "queue/sqlite_queue.h"

namespace mlw::queue {

void SqliteQueueService::Announce(const ChangedQueues& queues) {
  {
    std::lock_guard<std::mutex> lock(wait_mu_);
    for (const std::string& q : queues) ++versions_[q];
  }
  wait_cv_.notify_all();
  if (listener_count_.load() == 0) return;
  std::lock_guard<std::mutex> lock(listeners_mu_);
  for (const auto& [id, listener] : listeners_) {
    for (const std::string& q : queues) listener(q);
  }
}

uint64_t SqliteQueueService::QueueVersion(const std::string& queue) {
  std::lock_guard<std::mutex> lock(wait_mu_);
  return versions_[queue];
}

void SqliteQueueService::WaitForChange(const std::string& queue, uint64_t seen,
                                       std::chrono::steady_clock::time_point until) {
  std::unique_lock<std::mutex> lock(wait_mu_);
  wait_cv_.wait_until(lock, until, [&] { return stopping_ || versions_[queue] != seen; });
}

uint64_t SqliteQueueService::AddAvailabilityListener(AvailabilityListener listener) {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(listeners_mu_);
    id = next_listener_id_++;
    listeners_.emplace(id, std::move(listener));
    listener_count_.store(static_cast<int>(listeners_.size()));
  }
  std::lock_guard<std::mutex> lock(wait_mu_);  // so the watcher cannot miss the wake-up
  watcher_cv_.notify_all();
  return id;
}

void SqliteQueueService::RemoveAvailabilityListener(uint64_t listener_id) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.erase(listener_id);
  listener_count_.store(static_cast<int>(listeners_.size()));
}

Status SqliteQueueService::PollOtherWriters(SqliteConnection& conn, int64_t* last_data_version,
                                            std::map<std::string, int64_t>* last_versions) {
  MLW_ASSIGN_OR_RETURN(int64_t data_version, conn.DataVersion());
  if (data_version == *last_data_version) return Status::Ok();
  *last_data_version = data_version;
  // Something committed; find the queues whose change_version moved (or that are new).
  std::map<std::string, int64_t> versions;
  {
    MLW_ASSIGN_OR_RETURN(SqliteStatement stmt,
                         conn.Prepare("SELECT name, change_version FROM queues"));
    for (;;) {
      MLW_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      versions.emplace(stmt.Text(0), stmt.Int(1));
    }
  }
  ChangedQueues changed;
  for (const auto& [name, version] : versions) {
    auto it = last_versions->find(name);
    if (it == last_versions->end() || it->second != version) changed.push_back(name);
  }
  for (const auto& [name, version] : *last_versions) {
    if (!versions.count(name)) changed.push_back(name);  // deleted: its waiters must find out
  }
  *last_versions = std::move(versions);
  if (!changed.empty()) Announce(changed);
  return Status::Ok();
}

void SqliteQueueService::WatcherLoop() {
  // A connection of its own: PRAGMA data_version reports commits of every other connection.
  Result<std::unique_ptr<SqliteConnection>> opened = SqliteConnection::Open(
      SqliteOpenOptions{options_.path, options_.sync_full, options_.busy_timeout_ms});
  if (!opened.ok()) {
    log::Error("queue_watcher_failed", {{"error", opened.status().ToString()}});
    return;
  }
  std::unique_ptr<SqliteConnection> conn = std::move(opened).value();
  int64_t last_data_version = -1;
  std::map<std::string, int64_t> last_versions;
  (void)PollOtherWriters(*conn, &last_data_version, &last_versions);  // baseline; nobody waits yet

  using Clock = std::chrono::steady_clock;
  const bool cleanup_enabled = options_.cleanup_interval_seconds > 0;
  const auto cleanup_period = std::chrono::seconds(options_.cleanup_interval_seconds);
  auto next_cleanup = Clock::now() + cleanup_period;
  const auto watch_period = std::chrono::milliseconds(options_.watch_interval_ms);

  std::unique_lock<std::mutex> lock(wait_mu_);
  while (!stopping_) {
    const bool active = waiters_ > 0 || listener_count_.load() > 0;
    if (active) {
      watcher_cv_.wait_for(lock, watch_period, [&] { return stopping_; });
    } else if (cleanup_enabled) {
      watcher_cv_.wait_until(lock, next_cleanup, [&] {
        return stopping_ || waiters_ > 0 || listener_count_.load() > 0;
      });
    } else {
      watcher_cv_.wait(lock, [&] { return stopping_ || waiters_ > 0 || listener_count_.load() > 0; });
    }
    if (stopping_) break;
    lock.unlock();
    Status polled = PollOtherWriters(*conn, &last_data_version, &last_versions);
    if (!polled.ok()) log::Warn("queue_watcher_poll_failed", {{"error", polled.ToString()}});
    if (cleanup_enabled && Clock::now() >= next_cleanup) {
      Result<int64_t> cleaned = RunCleanup();
      if (!cleaned.ok()) log::Warn("queue_cleanup_failed", {{"error", cleaned.status().ToString()}});
      next_cleanup = Clock::now() + cleanup_period;
    }
    lock.lock();
  }
}

}  // namespace mlw::queue
