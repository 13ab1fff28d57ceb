// PostgresQueueService: reading a queue's row, and the short-lived cache of those rows that spares
// the hot operations (send, receive, delete, visibility) a round trip each.
#include <chrono>

#include "queue/postgres_queue.h"

namespace mlw::queue {
namespace {

constexpr const char* kSelectQueue =
    "SELECT id, name, visibility_timeout, delay_seconds, maximum_message_size, retention_seconds,"
    " receive_wait_seconds, dlq_name, dlq_arn, max_receive_count, passthrough, created_s,"
    " modified_s, last_purge_ms FROM mlw_queue_queues WHERE name = $1";
constexpr const char* kSelectQueueForUpdate =
    "SELECT id, name, visibility_timeout, delay_seconds, maximum_message_size, retention_seconds,"
    " receive_wait_seconds, dlq_name, dlq_arn, max_receive_count, passthrough, created_s,"
    " modified_s, last_purge_ms FROM mlw_queue_queues WHERE name = $1 FOR UPDATE";

}  // namespace

Result<PostgresQueueService::QueueRow> PostgresQueueService::LoadQueue(Conn& conn,
                                                                       const std::string& name,
                                                                       Lookup lookup) {
  const auto now = std::chrono::steady_clock::now();
  const auto max_age = std::chrono::milliseconds(options_.queue_cache_ms);
  if (lookup == Lookup::kCached && options_.queue_cache_ms > 0) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && now - it->second.loaded < max_age) return it->second.row;
  }
  MLW_ASSIGN_OR_RETURN(
      pg::PgResult r,
      conn.Execute(lookup == Lookup::kForUpdate ? kSelectQueueForUpdate : kSelectQueue, {name}));
  if (r.rows() == 0) {
    ForgetQueue(name);
    return NotFound("The specified queue " + name + " does not exist", "QueueDoesNotExist");
  }
  QueueRow q;
  q.id = r.Int(0, 0);
  q.name = std::string(r.Text(0, 1));
  q.config.visibility_timeout = static_cast<int>(r.Int(0, 2));
  q.config.delay_seconds = static_cast<int>(r.Int(0, 3));
  q.config.maximum_message_size = static_cast<int>(r.Int(0, 4));
  q.config.message_retention_period = static_cast<int>(r.Int(0, 5));
  q.config.receive_message_wait_time_seconds = static_cast<int>(r.Int(0, 6));
  if (!r.IsNull(0, 7)) {
    q.config.redrive_policy = RedrivePolicy{std::string(r.Text(0, 7)), std::string(r.Text(0, 8)),
                                            static_cast<int>(r.Int(0, 9))};
  }
  std::string_view passthrough = r.Text(0, 10);
  if (passthrough != "{}") q.config.passthrough = PassthroughFromJson(passthrough);
  q.created_s = r.Int(0, 11);
  q.modified_s = r.Int(0, 12);
  q.last_purge_ms = r.Int(0, 13);
  // A row read under FOR UPDATE may be about to change: only plain reads refresh the cache.
  if (lookup != Lookup::kForUpdate && options_.queue_cache_ms > 0) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    cache_[name] = CachedQueue{q, now};
  }
  return q;
}

void PostgresQueueService::ForgetQueue(const std::string& name) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (name.empty()) {
    cache_.clear();
  } else {
    cache_.erase(name);
  }
}

}  // namespace mlw::queue
