#include "triggers/trigger_outbox.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace mlw::triggers {

std::string TriggerBody(const std::string& job_type, int64_t user_id, JobPriority priority) {
  nlohmann::json body = {
      {"job_type", job_type}, {"user_id", user_id}, {"priority", PriorityName(priority)}};
  return body.dump();
}

TriggerOutbox::TriggerOutbox(store::Database& db, queue::QueueService& queue, const Clock& clock,
                             OutboxOptions options)
    : db_(db), queue_(queue), clock_(clock), options_(std::move(options)) {}

Result<bool> TriggerOutbox::Record(store::Connection& tx, int64_t user_id,
                                   const std::string& job_type, int64_t now_micros) {
  MLW_ASSIGN_OR_RETURN(
      int64_t inserted,
      tx.Exec("INSERT INTO job_triggers (user_id, job_type, created_at_us, sent_at_us) "
              "VALUES ($1, $2, $3, NULL) ON CONFLICT (user_id, job_type) DO NOTHING",
              {user_id, job_type, now_micros}));
  return inserted > 0;
}

Status TriggerOutbox::Consume(store::Database& db, int64_t user_id, const std::string& job_type,
                              int64_t now_micros) {
  return db.InTransaction(
      [&](store::Connection& tx) { return Consume(tx, user_id, job_type, now_micros); });
}

Status TriggerOutbox::Consume(store::Connection& tx, int64_t user_id, const std::string& job_type,
                              int64_t now_micros) {
  MLW_RETURN_IF_ERROR(
      tx.Exec("DELETE FROM job_triggers WHERE user_id = $1 AND job_type = $2", {user_id, job_type})
          .status());
  return tx
      .Exec(
          "INSERT INTO job_trigger_runs (user_id, job_type, consumed_at_us) VALUES ($1, $2, $3) "
          "ON CONFLICT (user_id, job_type) DO UPDATE SET consumed_at_us = excluded.consumed_at_us",
          {user_id, job_type, now_micros})
      .status();
}

int TriggerOutbox::DelaySeconds(const store::Row& due, int64_t now_micros) const {
  int64_t delay = options_.delay_seconds;
  if (!due.IsNull(3)) {
    const int64_t wait_us =
        due.Int(3) + int64_t{options_.min_run_interval_seconds} * 1'000'000 - now_micros;
    delay = std::max(delay, (wait_us + 999'999) / 1'000'000);
  }
  return static_cast<int>(std::clamp<int64_t>(delay, 0, queue::kMaxDelaySeconds));
}

Result<int> TriggerOutbox::Relay() {
  std::lock_guard<std::mutex> lock(relay_mu_);
  const int64_t now = clock_.NowMicros();
  const int64_t stale_before = now - int64_t{options_.resend_after_seconds} * 1'000'000;
  MLW_ASSIGN_OR_RETURN(store::Rows due,
                       db_.Query("SELECT t.user_id, t.job_type, t.created_at_us, r.consumed_at_us "
                                 "FROM job_triggers t LEFT JOIN job_trigger_runs r "
                                 "ON r.user_id = t.user_id AND r.job_type = t.job_type "
                                 "WHERE t.sent_at_us IS NULL OR t.sent_at_us < $1 "
                                 "ORDER BY t.created_at_us LIMIT $2",
                                 {stale_before, int64_t{options_.max_per_pass}}));
  int sent = 0;
  for (size_t start = 0; start < due.size(); start += queue::kMaxBatchEntries) {
    size_t end = std::min(due.size(), start + queue::kMaxBatchEntries);
    std::vector<queue::SendEntry> entries;
    for (size_t i = start; i < end; ++i) {
      queue::SendEntry e;
      e.id = std::to_string(i - start);
      e.body = TriggerBody(due[i].Text(1), due[i].Int(0), JobPriority::kNormal);
      if (const int delay = DelaySeconds(due[i], now); delay > 0) e.delay_seconds = delay;
      entries.push_back(std::move(e));
    }
    MLW_ASSIGN_OR_RETURN(queue::BatchOutcome<queue::SendResult> out,
                         queue_.SendMessageBatch(options_.queue_name, entries));
    // One transaction marks the whole batch: ingest shares the database's write lock.
    MLW_RETURN_IF_ERROR(db_.InTransaction([&](store::Connection& tx) -> Status {
      for (const queue::SendResult& r : out.successful) {
        const store::Row& row = due[start + std::stoul(r.id)];
        // Only a trigger still in the state we read is marked: if it was consumed meanwhile, the
        // row is gone and nothing changes; if it was re-recorded, created_at differs.
        MLW_RETURN_IF_ERROR(tx.Exec("UPDATE job_triggers SET sent_at_us = $1 "
                                    "WHERE user_id = $2 AND job_type = $3 AND created_at_us = $4",
                                    {now, row.Int(0), row.Text(1), row.Int(2)})
                                .status());
      }
      return Status::Ok();
    }));
    sent += static_cast<int>(out.successful.size());
    if (!out.failed.empty()) {
      return Unavailable("trigger send failed: " + out.failed.front().code + ": " +
                         out.failed.front().message);
    }
  }
  return sent;
}

Result<int64_t> TriggerOutbox::UnsentCount() {
  MLW_ASSIGN_OR_RETURN(store::Rows rows,
                       db_.Query("SELECT COUNT(*) FROM job_triggers WHERE sent_at_us IS NULL"));
  return rows.at(0).Int(0);
}

}  // namespace mlw::triggers
