// Lifecycle, receiving, sweeping and running handlers. Heartbeats, settling and returning messages
// are in worker_runtime_maintain.cc.
#include "worker/worker_runtime.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <random>

#include "core/log.h"
#include "worker/dead_letter.h"
#include "worker/worker_runtime_internal.h"

namespace mlw::worker {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

std::string DefaultWorkerId() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%06x", rd() & 0xFFFFFF);
  return std::string(host[0] ? host : "host") + ":" + std::to_string(getpid()) + ":" + suffix;
}

int PriorityIndex(JobPriority p) {
  switch (p) {
    case JobPriority::kHigh:
      return 0;
    case JobPriority::kNormal:
      return 1;
    case JobPriority::kLow:
      return 2;
  }
  return 1;
}

}  // namespace

const char* WorkerModeName(WorkerMode mode) {
  switch (mode) {
    case WorkerMode::kSqs:
      return "sqs";
    case WorkerMode::kAggregation:
      return "aggregation";
    case WorkerMode::kBoth:
      return "both";
  }
  return "both";
}

WorkerRuntime::WorkerRuntime(WorkerOptions options, queue::QueueService* queues, UserLeases* leases,
                             const HandlerRegistry* registry, WorkerMetrics* metrics,
                             const Clock* clock)
    : options_(std::move(options)),
      queues_(queues),
      leases_(leases),
      registry_(registry),
      metrics_(metrics),
      clock_(clock),
      backoff_(options_.backoff) {
  if (options_.worker_id.empty()) options_.worker_id = DefaultWorkerId();
}

WorkerRuntime::~WorkerRuntime() = default;

void WorkerRuntime::Stop() { StopWith("signal"); }

void WorkerRuntime::StopWith(const char* reason) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stopping_.load()) {
    stopping_.store(true);
    stop_reason_ = reason;
  }
  work_cv_.notify_all();
  state_cv_.notify_all();
  stop_cv_.notify_all();
  maintain_cv_.notify_all();
}

std::string WorkerRuntime::NextLeaseOwner() {
  // Built in place: one allocation per job rather than one per concatenation.
  char seq[24];
  const auto end = std::to_chars(seq, seq + sizeof(seq), lease_seq_.fetch_add(1) + 1).ptr;
  std::string owner;
  owner.reserve(options_.worker_id.size() + 1 + static_cast<size_t>(end - seq));
  owner.append(options_.worker_id).append(1, ':').append(seq, end);
  return owner;
}

int WorkerRuntime::HeartbeatTickMillis() const {
  return std::clamp(options_.visibility_timeout_seconds * 1000 / 8, 50, 1000);
}

size_t WorkerRuntime::QueueTasksLocked() const { return tasks_.size() + outcomes_.size(); }

Result<WorkerSummary> WorkerRuntime::Run() {
  started_at_ = steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_activity_ = started_at_;
  }
  const bool consume = options_.mode != WorkerMode::kAggregation;
  const bool sweep = options_.mode != WorkerMode::kSqs;
  if (consume) {
    auto setup = EnsureQueues(*queues_, options_.queues);
    if (!setup.ok()) return setup.status();
    setup_ = *setup;
  }
  log::Info("worker_startup",
            {{"worker_id", options_.worker_id},
             {"mode", WorkerModeName(options_.mode)},
             {"queue", consume ? setup_.queue : ""},
             {"dead_letter_queue", consume ? setup_.dead_letter_queue : ""},
             {"max_receive_count", setup_.max_receive_count},
             {"concurrency", options_.concurrency},
             {"batch_size", options_.batch_size},
             {"wait_seconds", options_.wait_seconds},
             {"visibility_timeout_seconds", options_.visibility_timeout_seconds},
             {"sweep_interval_seconds", sweep ? options_.sweep_interval_seconds : 0},
             {"idle_exit_seconds", options_.idle_exit_seconds},
             {"job_types", registry_->JobTypes()}});

  std::vector<std::thread> handlers;
  for (int i = 0; i < options_.concurrency; ++i) handlers.emplace_back([this] { HandlerLoop(); });
  std::thread settler([this] { SettleLoop(); });
  std::thread maintainer([this] { MaintainLoop(); });
  std::thread receiver, sweeper;
  if (consume) {
    receiver = std::thread([this] {
      ReceiveLoop();
      std::lock_guard<std::mutex> lock(mu_);
      receiver_exited_ = true;
      state_cv_.notify_all();
    });
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    receiver_exited_ = true;
  }
  if (sweep) sweeper = std::thread([this] { SweepLoop(); });

  {
    std::unique_lock<std::mutex> lock(mu_);
    stop_cv_.wait(lock, [&] { return stopping_.load(); });
  }
  log::Info("worker_stopping", {{"worker_id", options_.worker_id}, {"reason", stop_reason_}});

  // Drain: unstarted work goes back at once, running handlers get the grace period (the
  // maintainer keeps their messages invisible meanwhile), then everything is settled.
  ReturnUnstarted();
  const auto deadline = steady_clock::now() + seconds(options_.shutdown_grace_seconds);
  // The receiver may be running a handler (RunReadyInline): it gets the grace period like the
  // handler threads and is abandoned with them. Otherwise joining it waits for a poll in progress.
  bool receiver_abandoned = false;
  {
    std::unique_lock<std::mutex> lock(mu_);
    state_cv_.wait_until(lock, deadline, [&] { return receiver_exited_; });
    receiver_abandoned = !receiver_exited_ && receiver_running_;
  }
  if (receiver.joinable()) {
    if (receiver_abandoned) {
      receiver.detach();  // see WorkerSummary::abandoned
    } else {
      receiver.join();
    }
  }
  if (sweeper.joinable()) sweeper.join();
  ReturnUnstarted();
  int64_t abandoned = 0;
  {
    std::unique_lock<std::mutex> lock(mu_);
    state_cv_.wait_until(lock, deadline, [&] { return running_ == 0; });
    abandoned = running_;
    handlers_exit_.store(true);
    work_cv_.notify_all();
  }
  for (auto& t : handlers) {
    if (abandoned == 0) {
      t.join();
    } else {
      t.detach();  // see WorkerSummary::abandoned
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    maintenance_exit_.store(true);
    settle_cv_.notify_all();
    maintain_cv_.notify_all();
  }
  settler.join();
  maintainer.join();

  WorkerSummary summary;
  {
    std::lock_guard<std::mutex> lock(mu_);
    summary.stop_reason = stop_reason_;
  }
  summary.uptime_seconds = std::chrono::duration<double>(steady_clock::now() - started_at_).count();
  summary.processed = processed_.load();
  summary.failed = failed_.load();
  summary.dead_lettered = dead_lettered_.load();
  summary.returned_unstarted = returned_.load();
  summary.abandoned = abandoned;
  int64_t attempts = summary.processed + summary.failed;
  nlohmann::json rate = nullptr;
  if (attempts > 0) rate = static_cast<double>(summary.processed) / static_cast<double>(attempts);
  log::Info("worker_shutdown", {{"worker_id", options_.worker_id},
                                {"reason", summary.stop_reason},
                                {"uptime_seconds", summary.uptime_seconds},
                                {"processed", summary.processed},
                                {"failed", summary.failed},
                                {"dead_lettered", summary.dead_lettered},
                                {"returned_unstarted", summary.returned_unstarted},
                                {"abandoned", summary.abandoned},
                                {"success_rate", rate}});
  return summary;
}

bool WorkerRuntime::WaitForCapacity(size_t limit) {
  std::unique_lock<std::mutex> lock(mu_);
  state_cv_.wait(lock, [&] { return stopping_.load() || QueueTasksLocked() < limit; });
  return !stopping_.load();
}

void WorkerRuntime::ReceiveLoop() {
  const size_t concurrency = static_cast<size_t>(options_.concurrency);
  const size_t batch = static_cast<size_t>(options_.batch_size);
  int error_delay_ms = 0;
  // The last receive returned a full batch, so more messages are probably waiting: the next
  // receive does not long-poll. A long poll costs the backend more even when it returns at once
  // (the embedded queue wakes its watcher thread for every waiting receive); an empty short poll
  // costs one extra call when the queue runs dry.
  bool backlog = false;
  while (!stopping_.load()) {
    if (!WaitForCapacity(concurrency)) break;
    // Receiving only while fewer than `concurrency` tasks are outstanding holds at most one
    // batch beyond the handler threads unstarted.
    queue::ReceiveOptions ro;
    ro.max_messages = static_cast<int>(batch);
    ro.wait_seconds = backlog ? 0 : options_.wait_seconds;
    ro.visibility_timeout = options_.visibility_timeout_seconds;
    auto got = queues_->ReceiveMessage(setup_.queue, ro);
    if (!got.ok()) {
      metrics_->errors.WithLabels({"receive"}).Increment();
      error_delay_ms = std::clamp(error_delay_ms * 2, 500, 30000);
      log::Warn("receive_failed", {{"queue", setup_.queue},
                                   {"error", got.status().ToString()},
                                   {"retry_in_ms", error_delay_ms}});
      std::unique_lock<std::mutex> lock(mu_);
      stop_cv_.wait_for(lock, milliseconds(error_delay_ms), [&] { return stopping_.load(); });
      continue;
    }
    error_delay_ms = 0;
    backlog = got->size() == batch;
    if (got->empty()) {
      std::unique_lock<std::mutex> lock(mu_);
      auto now = steady_clock::now();
      if (options_.idle_exit_seconds > 0 && options_.mode == WorkerMode::kSqs && tasks_.empty() &&
          outcomes_.empty() && now - last_activity_ >= seconds(options_.idle_exit_seconds)) {
        lock.unlock();
        log::Info("worker_idle", {{"worker_id", options_.worker_id},
                                  {"idle_exit_seconds", options_.idle_exit_seconds}});
        StopWith("idle");
        break;
      }
      // A short poll (wait 0) that found nothing must not spin.
      if (options_.wait_seconds == 0) {
        stop_cv_.wait_for(lock, seconds(1), [&] { return stopping_.load(); });
      }
      continue;
    }
    if (stopping_.load()) {
      std::vector<queue::HandleEntry> back;
      for (const auto& m : *got) {
        back.push_back({std::to_string(back.size()), m.receipt_handle, 0});
      }
      returned_.fetch_add(static_cast<int64_t>(back.size()));
      ChangeVisibility(std::move(back), "return_unstarted");
      break;
    }
    AcceptMessages(std::move(*got));
    RunReadyInline();
  }
}

void WorkerRuntime::AcceptMessages(std::vector<queue::Message> messages) {
  const auto now = steady_clock::now();
  std::vector<TaskPtr> accepted;
  accepted.reserve(messages.size());
  // A batch is mostly of one job type: its metrics and handler are looked up (a lock and two
  // maps) once, and its receipts counted with one increment.
  const JobTypeMetrics* last_metrics = nullptr;
  const JobHandler* last_handler = nullptr;
  const std::string* last_type = nullptr;
  int received = 0;  // of last_type, not yet counted
  auto count_received = [&] {
    if (received > 0) last_metrics->received->Increment(received);
    received = 0;
  };
  for (auto& m : messages) {
    auto job = registry_->Decode(m.body);
    if (!job.ok()) {
      const std::string reason = job.status().reason();
      Status moved = MoveToDeadLetterQueue(*queues_, setup_.queue, setup_.dead_letter_queue, m,
                                           reason, job.status().message());
      if (moved.ok()) {
        dead_lettered_.fetch_add(1);
        metrics_->dead_lettered.WithLabels({"invalid", reason}).Increment();
        log::Warn("message_dead_lettered", {{"message_id", m.message_id},
                                            {"reason", reason},
                                            {"detail", job.status().message()},
                                            {"receive_count", m.receive_count},
                                            {"dead_letter_queue", setup_.dead_letter_queue}});
      } else {
        // The message comes back after its visibility timeout and is dead-lettered then.
        metrics_->errors.WithLabels({"dead_letter"}).Increment();
        log::Error("dead_letter_failed",
                   {{"message_id", m.message_id}, {"error", moved.ToString()}});
      }
      continue;
    }
    auto task = std::make_shared<Task>();
    task->from_queue = true;
    task->job = std::move(job).value();
    task->job.message_id = LogicalMessageId(m);
    task->job.receive_count = m.receive_count;
    task->message = std::move(m);
    task->next_heartbeat = now + milliseconds(options_.visibility_timeout_seconds * 500);
    task->lease_wait_deadline = now + seconds(options_.lease_wait_seconds);
    task->next_lease_try = now;
    if (last_type == nullptr || *last_type != task->job.job_type) {
      count_received();
      last_metrics = &metrics_->ForJobType(task->job.job_type);
      // Known: Decode checked the job type. The task outlives the loop.
      last_handler = registry_->FindHandler(task->job.job_type);
      last_type = &task->job.job_type;
    }
    task->metrics = last_metrics;
    task->handler = last_handler;
    ++received;
    if (log::Enabled(log::Level::kInfo)) {
      log::Info("message_received", {{"message_id", task->message.message_id},
                                     {"job_type", task->job.job_type},
                                     {"user_id", task->job.user_id},
                                     {"priority", PriorityName(task->job.priority)},
                                     {"receive_count", task->message.receive_count}});
    }
    accepted.push_back(std::move(task));
  }
  count_received();
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_activity_ = now;
    for (auto& t : accepted) {
      t->id = next_task_id_++;
      tasks_[t->id] = t;
    }
  }
  if (!accepted.empty()) AcquireAndDispatch(std::move(accepted), /*for_receiver=*/true);
}

void WorkerRuntime::AcquireAndDispatch(std::vector<TaskPtr> tasks, bool for_receiver) {
  const auto now = steady_clock::now();
  const auto retry_after = milliseconds(std::clamp(HeartbeatTickMillis(), 100, 250));
  std::vector<TaskPtr> candidates;
  candidates.reserve(tasks.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : tasks) {
      // A user already leased inside this process is busy: no need to ask the database.
      if (local_users_.count(t->job.user_id)) {
        t->next_lease_try = now + retry_after;
        if (!t->from_queue) {
          ++t->sweep->skipped_busy;
          --t->sweep->pending;
          tasks_.erase(t->id);
        }
        continue;
      }
      local_users_.insert(t->job.user_id);
      t->lease_owner = NextLeaseOwner();
      t->lease_attempt_in_progress = true;
      candidates.push_back(std::move(t));  // `tasks` is ours; only its size is used below
    }
    if (tasks.size() != candidates.size()) state_cv_.notify_all();
  }
  if (candidates.empty()) return;

  Result<std::vector<bool>> granted = std::vector<bool>(candidates.size(), true);
  if (leases_ != nullptr) {
    std::vector<LeaseRequest> requests;
    requests.reserve(candidates.size());
    // The owners are lent to the requests rather than copied: nothing reads a task's lease_owner
    // while lease_attempt_in_progress (set above under mu_) holds.
    for (const auto& t : candidates) {
      requests.push_back({t->job.user_id, std::move(t->lease_owner)});
    }
    granted = leases_->TryAcquire(requests, options_.visibility_timeout_seconds);
    for (size_t i = 0; i < candidates.size(); ++i) {
      candidates[i]->lease_owner = std::move(requests[i].owner);
    }
    if (!granted.ok()) {
      metrics_->errors.WithLabels({"lease_acquire"}).Increment();
      log::Warn("lease_acquire_failed", {{"error", granted.status().ToString()}});
    }
  }

  std::vector<TaskPtr> to_return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < candidates.size(); ++i) {
      TaskPtr& t = candidates[i];  // moved out once queued: not used after this loop
      t->lease_attempt_in_progress = false;
      if (granted.ok() && (*granted)[i]) {
        t->lease_held = true;
        t->next_heartbeat = std::min(t->next_heartbeat,
                                     now + milliseconds(options_.visibility_timeout_seconds * 500));
        if (stopping_.load()) {
          tasks_.erase(t->id);
          to_return.push_back(t);
          continue;
        }
        t->state = TaskState::kQueued;
        if (!for_receiver || !CheapLocked(*t)) work_cv_.notify_one();
        ready_[PriorityIndex(t->job.priority)].push_back(std::move(t));
        continue;
      }
      local_users_.erase(t->job.user_id);
      t->next_lease_try = now + retry_after;
      if (!t->from_queue) {
        // Whoever holds the lease is processing this user already; the next sweep looks again.
        ++t->sweep->skipped_busy;
        --t->sweep->pending;
        tasks_.erase(t->id);
        state_cv_.notify_all();
      }
    }
  }
  if (!to_return.empty()) ReturnTasks(std::move(to_return));
}

void WorkerRuntime::HandlerLoop() {
  while (true) {
    TaskPtr task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      // A free slot too: the receiver may be running a handler (RunReadyInline).
      work_cv_.wait(lock, [&] {
        if (handlers_exit_.load()) return true;
        if (stopping_.load()) return false;
        return running_ < options_.concurrency && AnyReadyLocked();
      });
      if (handlers_exit_.load()) return;
      for (auto& q : ready_) {
        if (!q.empty()) {
          task = q.front();
          q.pop_front();
          break;
        }
      }
      task->state = TaskState::kRunning;
      ++running_;
    }
    metrics_->in_flight_now.Add(1);
    SteadyTime end;
    Outcome outcome = RunHandler(std::move(task), steady_clock::now(), &end);
    metrics_->in_flight_now.Add(-1);
    std::lock_guard<std::mutex> lock(mu_);
    FinishTaskLocked(std::move(outcome), end, /*on_receiver=*/false);
  }
}

WorkerRuntime::Outcome WorkerRuntime::RunHandler(TaskPtr task, SteadyTime start, SteadyTime* end) {
  Status status;
  try {
    status = (*task->handler)(task->job);
  } catch (const std::exception& e) {
    status = Internal(std::string("handler threw: ") + e.what());
  } catch (...) {
    status = Internal("handler threw a non-standard exception");
  }
  *end = steady_clock::now();
  const double secs = std::chrono::duration<double>(*end - start).count();
  task->metrics->duration->Observe(secs);
  return Outcome{std::move(task), std::move(status), secs};
}

void WorkerRuntime::FinishTaskLocked(Outcome outcome, SteadyTime end, bool on_receiver) {
  const bool slots_were_full = running_ >= options_.concurrency;
  --running_;
  RecordHandlerSecondsLocked(*outcome.task, outcome.seconds);
  outcome.task->state = TaskState::kSettling;
  if (outcomes_.empty()) {
    settle_first_ = end;
    // A batch's worth at once rather than growing one outcome at a time (see Settle).
    outcomes_.reserve(kMaxSettleBatch);
  }
  outcomes_.push_back(std::move(outcome));
  if (on_receiver) {
    receiver_running_ = false;
    // A handler thread may be waiting for the slot the receiver held.
    if (slots_were_full && AnyReadyLocked()) work_cv_.notify_one();
  } else if (outcomes_.size() == 1 || SettleNowLocked()) {
    // The settler wakes for the first outcome (to arm its deadline) and when the batch is
    // complete. The receiver settles what it ran itself.
    settle_cv_.notify_one();
  }
  // Capacity counts outcomes too, so only the shutdown drain waits for running_ to drop.
  if (stopping_.load()) state_cv_.notify_all();
}

void WorkerRuntime::SweepLoop() {
  while (!stopping_.load()) {
    for (const auto& sweep : registry_->Sweeps()) {
      if (stopping_.load()) break;
      RunSweep(sweep);
    }
    std::unique_lock<std::mutex> lock(mu_);
    stop_cv_.wait_for(lock, seconds(options_.sweep_interval_seconds),
                      [&] { return stopping_.load(); });
  }
}

void WorkerRuntime::RunSweep(const HandlerRegistry::Sweep& sweep) {
  const auto start = steady_clock::now();
  auto users = sweep.finder(options_.sweep_user_limit);
  if (!users.ok()) {
    metrics_->errors.WithLabels({"sweep"}).Increment();
    log::Warn("sweep_failed", {{"job_type", sweep.job_type}, {"error", users.status().ToString()}});
    return;
  }
  metrics_->sweep_users.WithLabels({sweep.job_type}).Increment(static_cast<double>(users->size()));
  auto run = std::make_shared<SweepRun>();
  for (int64_t user_id : *users) {
    if (!WaitForCapacity(static_cast<size_t>(options_.concurrency))) break;
    auto task = std::make_shared<Task>();
    task->from_queue = false;
    task->sweep = run;
    task->job.job_type = sweep.job_type;
    task->metrics = &metrics_->ForJobType(sweep.job_type);
    task->handler = registry_->FindHandler(sweep.job_type);
    task->job.user_id = user_id;
    task->job.payload = nlohmann::json{{"job_type", sweep.job_type}, {"user_id", user_id}};
    task->job.message_id = "sweep:" + options_.worker_id + ":" + std::to_string(lease_seq_.load());
    task->job.receive_count = 1;
    task->next_heartbeat =
        steady_clock::now() + milliseconds(options_.visibility_timeout_seconds * 500);
    // Until AcquireAndDispatch settles its lease the task is in kWaitingLease; marked as being
    // asked for, so that neither RetryWaiting nor ReturnUnstarted takes it for a waiting queue
    // message in between.
    task->lease_attempt_in_progress = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      task->id = next_task_id_++;
      task->job.message_id += ":" + std::to_string(task->id);
      tasks_[task->id] = task;
      ++run->pending;
    }
    AcquireAndDispatch({task});
  }
  bool partial;
  SweepRun counts;
  {
    std::unique_lock<std::mutex> lock(mu_);
    state_cv_.wait(lock, [&] { return run->pending == 0 || stopping_.load(); });
    partial = run->pending != 0;
    counts = *run;
  }
  metrics_->last_sweep.WithLabels({sweep.job_type}).Set(static_cast<double>(clock_->NowSeconds()));
  log::Info("sweep_completed",
            {{"job_type", sweep.job_type},
             {"users_found", users->size()},
             {"processed", counts.processed},
             {"failed", counts.failed},
             {"skipped_busy", counts.skipped_busy},
             {"interrupted", partial},
             {"duration_ms",
              std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count()}});
}

}  // namespace mlw::worker
