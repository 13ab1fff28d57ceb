// Heartbeats, lease retries, settling outcomes and returning unstarted messages.
#include <algorithm>
#include <charconv>
#include <iterator>

#include "core/log.h"
#include "worker/dead_letter.h"
#include "worker/worker_runtime.h"
#include "worker/worker_runtime_internal.h"

namespace mlw::worker {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr auto kQueueDepthRefresh = seconds(5);

// Splits into SQS-sized batches and renumbers entry ids within each batch.
template <typename Fn>
void InBatches(std::vector<queue::HandleEntry> entries, Fn fn) {
  for (size_t i = 0; i < entries.size(); i += queue::kMaxBatchEntries) {
    // Moved, not copied: `entries` is ours.
    std::vector<queue::HandleEntry> chunk(
        std::make_move_iterator(entries.begin() + i),
        std::make_move_iterator(entries.begin() +
                                std::min(entries.size(), i + queue::kMaxBatchEntries)));
    for (size_t j = 0; j < chunk.size(); ++j) chunk[j].id = std::to_string(j);
    fn(chunk);
  }
}

}  // namespace

void WorkerRuntime::MaintainLoop() {
  const auto tick = milliseconds(HeartbeatTickMillis());
  while (!maintenance_exit_.load()) {
    Heartbeat();
    HandOffStuckInline();
    RetryWaiting();
    RefreshQueueDepth();
    std::unique_lock<std::mutex> lock(mu_);
    maintain_cv_.wait_for(lock, tick, [&] { return maintenance_exit_.load() || local_release_; });
  }
}

void WorkerRuntime::ChangeVisibility(std::vector<queue::HandleEntry> entries,
                                     const char* operation) {
  if (entries.empty()) return;
  std::lock_guard<std::mutex> vlock(visibility_mu_);
  InBatches(std::move(entries), [&](const std::vector<queue::HandleEntry>& chunk) {
    auto out = queues_->ChangeMessageVisibilityBatch(setup_.queue, chunk);
    if (!out.ok()) {
      metrics_->errors.WithLabels({operation}).Increment();
      log::Warn("visibility_change_failed",
                {{"operation", operation}, {"error", out.status().ToString()}});
      return;
    }
    for (const auto& f : out->failed) {
      metrics_->errors.WithLabels({operation}).Increment();
      log::Warn("visibility_change_failed", {{"operation", operation}, {"code", f.code}});
    }
  });
}

void WorkerRuntime::Heartbeat() {
  std::lock_guard<std::mutex> vlock(visibility_mu_);
  const auto now = steady_clock::now();
  std::vector<TaskPtr> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, t] : tasks_) {
      if (t->state != TaskState::kSettling && !t->lease_attempt_in_progress &&
          t->next_heartbeat <= now) {
        due.push_back(t);
      }
    }
  }
  if (due.empty()) return;
  const int vt = options_.visibility_timeout_seconds;

  std::vector<queue::HandleEntry> extend;
  std::vector<const Task*> extended;
  for (const auto& t : due) {
    if (!t->from_queue) continue;
    extend.push_back({"", t->message.receipt_handle, vt});
    extended.push_back(t.get());
  }
  size_t offset = 0;
  InBatches(std::move(extend), [&](const std::vector<queue::HandleEntry>& chunk) {
    auto out = queues_->ChangeMessageVisibilityBatch(setup_.queue, chunk);
    if (!out.ok()) {
      metrics_->errors.WithLabels({"heartbeat"}).Increment();
      log::Warn("heartbeat_failed", {{"error", out.status().ToString()}});
    } else {
      for (const auto& f : out->failed) {
        // ReceiptHandleIsInvalid / MessageNotInflight: the message became visible and may be
        // delivered again; the handler's idempotency keeps the effect single.
        metrics_->errors.WithLabels({"heartbeat"}).Increment();
        size_t index = 0;
        auto parsed = std::from_chars(f.id.data(), f.id.data() + f.id.size(), index);
        if (parsed.ec != std::errc() || index >= chunk.size()) {
          log::Warn("heartbeat_failed", {{"code", f.code}});
          continue;
        }
        const Task* t = extended[offset + index];
        log::Warn("heartbeat_failed", {{"message_id", t->message.message_id},
                                       {"job_type", t->job.job_type},
                                       {"code", f.code}});
      }
    }
    offset += chunk.size();
  });

  std::vector<LeaseRequest> renew;
  std::vector<const Task*> renewed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& t : due) {
      if (t->lease_held) {
        renew.push_back({t->job.user_id, t->lease_owner});
        renewed.push_back(t.get());
      }
    }
  }
  if (leases_ != nullptr && !renew.empty()) {
    auto held = leases_->Renew(renew, vt);
    if (!held.ok()) {
      metrics_->errors.WithLabels({"lease_renew"}).Increment();
      log::Warn("lease_renew_failed", {{"error", held.status().ToString()}});
    } else {
      for (size_t i = 0; i < renewed.size(); ++i) {
        if (!(*held)[i]) {
          log::Warn("lease_lost", {{"job_type", renewed[i]->job.job_type},
                                   {"user_id", renewed[i]->job.user_id},
                                   {"message_id", renewed[i]->job.message_id}});
        }
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& t : due) t->next_heartbeat = now + milliseconds(vt * 500);
}

void WorkerRuntime::RetryWaiting() {
  const auto now = steady_clock::now();
  std::vector<TaskPtr> retry, expired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const bool released = local_release_;
    local_release_ = false;
    if (stopping_.load()) return;
    for (const auto& [id, t] : tasks_) {
      // Only queue tasks wait for a lease: a sweep task is dropped when its user is busy. One in
      // kWaitingLease here is between RunSweep and its own AcquireAndDispatch and has no message
      // to put back.
      if (!t->from_queue) continue;
      if (t->state != TaskState::kWaitingLease || t->lease_attempt_in_progress) continue;
      if (now >= t->lease_wait_deadline) {
        expired.push_back(t);
      } else if (t->next_lease_try <= now || (released && !local_users_.count(t->job.user_id))) {
        retry.push_back(t);
      }
    }
    for (const auto& t : expired) tasks_.erase(t->id);
    if (!expired.empty()) state_cv_.notify_all();
  }
  for (const auto& t : expired) Defer(t, options_.lease_busy_delay_seconds, "user_busy", "");
  if (!retry.empty()) AcquireAndDispatch(std::move(retry));
}

void WorkerRuntime::Defer(const TaskPtr& task, int delay_seconds, const char* reason,
                          const std::string& detail) {
  if (!task->from_queue) return;
  const queue::Message& m = task->message;
  // A message at its last allowed receive would be dead-lettered by the redrive policy on the
  // next one although it never failed: it goes back as a fresh copy instead (DelaySeconds is at
  // most 900, so a longer wait is cut to that; the copy then defers again if need be).
  const bool requeue = setup_.max_receive_count > 0 && m.receive_count >= setup_.max_receive_count;
  const int delay = std::clamp(delay_seconds, 0, requeue ? 900 : 43200);
  Status s;
  if (requeue) {
    s = RequeueAsNewMessage(*queues_, setup_.queue, m, delay);
  } else {
    std::lock_guard<std::mutex> vlock(visibility_mu_);
    s = queues_->ChangeMessageVisibility(setup_.queue, m.receipt_handle, delay);
  }
  metrics_->deferred.WithLabels({task->job.job_type}).Increment();
  if (!s.ok()) {
    metrics_->errors.WithLabels({"defer"}).Increment();
    log::Warn("message_defer_failed", {{"message_id", m.message_id}, {"error", s.ToString()}});
  }
  nlohmann::json fields = {{"message_id", m.message_id},
                           {"job_type", task->job.job_type},
                           {"user_id", task->job.user_id},
                           {"receive_count", m.receive_count},
                           {"reason", reason},
                           {"delay_seconds", delay},
                           {"requeued_as_new_message", requeue}};
  if (!detail.empty()) fields["detail"] = detail;
  log::Info("message_deferred", fields);
}

bool WorkerRuntime::SettleNowLocked() const {
  if (outcomes_.empty()) return false;
  const bool idle = running_ == 0 && ready_[0].empty() && ready_[1].empty() && ready_[2].empty();
  return idle || outcomes_.size() >= kMaxSettleBatch || stopping_.load();
}

void WorkerRuntime::SettleLoop() {
  while (true) {
    std::vector<Outcome> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      settle_cv_.wait(lock, [&] { return !outcomes_.empty() || maintenance_exit_.load(); });
      if (outcomes_.empty()) return;
      // Outcomes of one receive batch are settled together (one delete batch, one lease
      // release) unless that would hold a finished message back for long: at most
      // kSettleDelay after the first one arrived.
      const auto deadline = settle_first_ + kSettleDelay;
      settle_cv_.wait_until(lock, deadline,
                            [&] { return SettleNowLocked() || maintenance_exit_.load(); });
      batch.swap(outcomes_);
    }
    // Empty when the receiver settled the outcomes itself meanwhile (RunReadyInline).
    if (!batch.empty()) Settle(std::move(batch));
  }
}

void WorkerRuntime::Settle(std::vector<Outcome> outcomes) {
  std::vector<queue::HandleEntry> deletes, retries;
  std::vector<const Outcome*> deferred;
  std::vector<LeaseRequest> releases;
  // Sized once: growing them step by step costs a chain of allocations per batch, the last of
  // them large enough to make glibc consolidate its free lists, which slows every small
  // allocation after it.
  deletes.reserve(outcomes.size());
  releases.reserve(outcomes.size());
  const int max_receives = setup_.max_receive_count;
  // Successes are counted per run of one job type (a batch is mostly one), not one by one.
  int64_t processed = 0;
  const JobTypeMetrics* run_metrics = nullptr;
  int run_processed = 0;
  auto count_run = [&] {
    if (run_processed > 0) run_metrics->processed->Increment(run_processed);
    run_processed = 0;
  };
  // Settling is a task's last step, so its receipt handle and lease owner are moved into the
  // requests rather than copied. Only a heartbeat that took the task while it was still running
  // may read them meanwhile, and it does so holding visibility_mu_.
  std::unique_lock<std::mutex> vlock(visibility_mu_);
  for (const auto& o : outcomes) {
    Task& t = *o.task;
    const Job& job = t.job;
    const int64_t duration_ms = static_cast<int64_t>(o.seconds * 1000);
    const char* source = t.from_queue ? "queue" : "sweep";
    if (o.status.ok()) {
      ++processed;
      if (t.metrics != run_metrics) {
        count_run();
        run_metrics = t.metrics;
      }
      ++run_processed;
      if (t.from_queue) deletes.push_back({"", std::move(t.message.receipt_handle), 0});
      if (log::Enabled(log::Level::kInfo))
        log::Info("message_processed", {{"message_id", job.message_id},
                                        {"job_type", job.job_type},
                                        {"user_id", job.user_id},
                                        {"receive_count", job.receive_count},
                                        {"source", source},
                                        {"duration_ms", duration_ms}});
    } else if (o.status.code() == StatusCode::kRetryLater) {
      // Not a failure: the job could not finish yet (rows leased elsewhere). The message comes
      // back when the handler said; a sweep task is simply dropped until the next sweep.
      deferred.push_back(&o);
    } else {
      failed_.fetch_add(1);
      t.metrics->failed->Increment();
      const bool final = t.from_queue && max_receives > 0 && job.receive_count >= max_receives;
      // The last allowed receive failed: visible at once, so the next receive hands it to the
      // redrive policy instead of waiting out a backoff.
      const int delay = !t.from_queue ? 0 : final ? 0 : backoff_.DelaySeconds(job.receive_count);
      if (t.from_queue) retries.push_back({"", t.message.receipt_handle, delay});
      log::Warn("message_failed", {{"message_id", job.message_id},
                                   {"job_type", job.job_type},
                                   {"user_id", job.user_id},
                                   {"receive_count", job.receive_count},
                                   {"max_receive_count", max_receives},
                                   {"source", source},
                                   {"duration_ms", duration_ms},
                                   {"error", o.status.ToString()},
                                   {"retry_in_seconds", delay},
                                   {"final_attempt", final}});
      if (final) {
        dead_lettered_.fetch_add(1);
        metrics_->dead_lettered.WithLabels({job.job_type, "max_receive_count"}).Increment();
        log::Warn("message_dead_lettered", {{"message_id", job.message_id},
                                            {"job_type", job.job_type},
                                            {"reason", "max_receive_count"},
                                            {"via", "redrive_policy"},
                                            {"receive_count", job.receive_count},
                                            {"dead_letter_queue", setup_.dead_letter_queue}});
      }
    }
    if (t.lease_held) releases.push_back({job.user_id, std::move(t.lease_owner)});
  }
  vlock.unlock();
  count_run();
  if (processed > 0) processed_.fetch_add(processed);

  InBatches(std::move(deletes), [&](const std::vector<queue::HandleEntry>& chunk) {
    auto out = queues_->DeleteMessageBatch(setup_.queue, chunk);
    size_t failures = out.ok() ? out->failed.size() : chunk.size();
    if (failures > 0) {
      // Not deleted means delivered again later; handlers are idempotent.
      metrics_->errors.WithLabels({"delete"}).Increment(static_cast<double>(failures));
      log::Warn("delete_failed",
                {{"count", failures},
                 {"error", out.ok() ? out->failed.front().code : out.status().ToString()}});
    }
  });
  ChangeVisibility(std::move(retries), "retry_backoff");
  for (const Outcome* o : deferred) {
    Defer(o->task, std::max(1, o->status.retry_after_seconds()), "retry_later",
          o->status.message());
  }
  if (leases_ != nullptr && !releases.empty()) {
    Status s = leases_->Release(releases);
    if (!s.ok()) {
      // The leases expire by themselves after the visibility timeout.
      metrics_->errors.WithLabels({"lease_release"}).Increment();
      log::Warn("lease_release_failed", {{"error", s.ToString()}});
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  last_activity_ = steady_clock::now();
  for (const auto& o : outcomes) {
    Task& t = *o.task;
    tasks_.erase(t.id);
    if (t.lease_held) local_users_.erase(t.job.user_id);
    t.lease_held = false;
    if (t.sweep) {
      --t.sweep->pending;
      if (o.status.ok()) {
        ++t.sweep->processed;
      } else if (o.status.code() == StatusCode::kRetryLater) {
        ++t.sweep->skipped_busy;
      } else {
        ++t.sweep->failed;
      }
    }
  }
  // Tasks waiting for a user this process just released retry at once rather than at the next
  // maintenance tick; with none waiting the maintainer sleeps on.
  const bool someone_waits = std::any_of(tasks_.begin(), tasks_.end(), [](const auto& entry) {
    return entry.second->state == TaskState::kWaitingLease;
  });
  if (someone_waits) {
    local_release_ = true;
    maintain_cv_.notify_all();
  }
  state_cv_.notify_all();
}

void WorkerRuntime::ReturnUnstarted() {
  std::vector<TaskPtr> unstarted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, t] : tasks_) {
      if ((t->state == TaskState::kWaitingLease || t->state == TaskState::kQueued) &&
          !t->lease_attempt_in_progress) {
        unstarted.push_back(t);
      }
    }
    for (auto& q : ready_) q.clear();
    for (const auto& t : unstarted) tasks_.erase(t->id);
  }
  ReturnTasks(std::move(unstarted));
}

void WorkerRuntime::ReturnTasks(std::vector<TaskPtr> tasks) {
  if (tasks.empty()) return;
  std::vector<queue::HandleEntry> back;
  std::vector<LeaseRequest> releases;
  for (const auto& t : tasks) {
    if (t->from_queue) back.push_back({"", t->message.receipt_handle, 0});
    if (t->lease_held) releases.push_back({t->job.user_id, t->lease_owner});
  }
  returned_.fetch_add(static_cast<int64_t>(back.size()));
  if (!back.empty()) {
    log::Info("messages_returned", {{"count", back.size()}, {"reason", "shutdown"}});
  }
  ChangeVisibility(std::move(back), "return_unstarted");
  if (leases_ != nullptr && !releases.empty()) {
    Status s = leases_->Release(releases);
    if (!s.ok()) log::Warn("lease_release_failed", {{"error", s.ToString()}});
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& t : tasks) {
    if (t->lease_held) local_users_.erase(t->job.user_id);
    t->lease_held = false;
    if (t->sweep) --t->sweep->pending;
  }
  state_cv_.notify_all();
}

void WorkerRuntime::RefreshQueueDepth() {
  if (options_.mode == WorkerMode::kAggregation) return;
  {
    std::lock_guard<std::mutex> lock(depth_mu_);
    auto now = steady_clock::now();
    if (depth_refreshed_ != SteadyTime{} && now - depth_refreshed_ < kQueueDepthRefresh) return;
    depth_refreshed_ = now;
  }
  for (const std::string& q : {setup_.queue, setup_.dead_letter_queue}) {
    auto attrs = queues_->GetQueueAttributes(
        q, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"});
    if (!attrs.ok()) {
      metrics_->errors.WithLabels({"queue_attributes"}).Increment();
      continue;
    }
    const std::pair<const char*, const char*> states[] = {
        {"visible", "ApproximateNumberOfMessages"},
        {"in_flight", "ApproximateNumberOfMessagesNotVisible"},
        {"delayed", "ApproximateNumberOfMessagesDelayed"}};
    for (const auto& [state, attr] : states) {
      auto it = attrs->find(attr);
      if (it == attrs->end()) continue;
      try {
        metrics_->queue_messages.WithLabels({q, state}).Set(std::stod(it->second));
      } catch (...) {
        // A malformed counter from a remote endpoint leaves the gauge as it was.
      }
    }
  }
}

}  // namespace mlw::worker
