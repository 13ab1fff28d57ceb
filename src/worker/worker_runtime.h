// The worker runtime: consumes the work queue (mode sqs), sweeps for pending work (mode
// aggregation), or both; dispatches jobs to the handlers of a HandlerRegistry on a thread pool;
// keeps messages invisible while their handler runs (heartbeat); retries failures with backoff;
// dead-letters invalid messages; serializes jobs per user with leases; shuts down gracefully.
// docs/worker.md describes the behaviour for operators.
//
// Threads: one receiver (sqs), one sweeper (aggregation), `concurrency` handler threads, one
// maintainer (heartbeats, lease retries) and one settler (deletes, retries, lease releases in
// batches). All of them live inside Run(). Jobs of a type whose handler takes on average less than
// a thread hand-off costs run on the receiver itself, and it settles their batch at once
// (worker_runtime_inline.cc); at most `concurrency` handlers run at a time either way.
//
// Thread-safety: Run() is called once, from one thread. Stop() may be called from any thread, at
// any time, any number of times.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "queue/queue.h"
#include "worker/backoff.h"
#include "worker/flat_table.h"
#include "worker/handler_registry.h"
#include "worker/queue_setup.h"
#include "worker/user_lease.h"
#include "worker/worker_metrics.h"

namespace mlw::worker {

enum class WorkerMode { kSqs, kAggregation, kBoth };
const char* WorkerModeName(WorkerMode mode);

struct WorkerOptions {
  // Which loops run. Default both.
  WorkerMode mode = WorkerMode::kBoth;
  // Queue names, creation and redrive settings; see queue_setup.h.
  QueueSetupOptions queues;
  // Messages per ReceiveMessage call, 1..10. Default 10.
  int batch_size = 10;
  // Long-poll wait per receive, seconds, 0..20. Default 20. Shutdown waits for a poll in progress
  // to return, so this also bounds how long a stop can take beyond the grace period.
  int wait_seconds = 20;
  // Visibility timeout requested on every receive, and lease timeout, in seconds (>= 1). A
  // message is extended by this much whenever less than half of it is left (heartbeat). Default
  // 300.
  int visibility_timeout_seconds = 300;
  // Handler threads, 1..256. Default 4. At most one receive batch beyond this is held unstarted.
  int concurrency = 4;
  // Aggregation mode: seconds between sweeps (>= 1), first sweep at start. Default 30.
  int sweep_interval_seconds = 30;
  // Aggregation mode: at most this many users per job type per sweep. Default 1000.
  int sweep_user_limit = 1000;
  // Mode sqs only: stop after this many seconds without a message and without work (scale to
  // zero). 0 never stops. Default 0.
  int idle_exit_seconds = 0;
  // On Stop(): seconds to let running handlers finish before giving up on them. Default 30.
  int shutdown_grace_seconds = 30;
  // Delay after a handler failure; see backoff.h.
  BackoffOptions backoff;
  // A message whose user's lease is held elsewhere waits locally (kept invisible, not counted as
  // a receive) for up to this many seconds before it is put back. Default 30.
  int lease_wait_seconds = 30;
  // Visibility delay of a message put back because its user stayed busy, seconds. Default 5.
  int lease_busy_delay_seconds = 5;
  // Identifies this process in lease rows and logs. Empty: "<hostname>:<pid>:<random>".
  std::string worker_id;
  // Jobs of a type whose handler has taken less than this on average (moving average over about
  // the last 8 runs; a type not run yet does not qualify) run on the receiving thread, which
  // spares the hand-offs to a handler thread and the settler; 0 turns that off. The default is
  // about what those hand-offs cost.
  double inline_max_handler_seconds = 50e-6;
};

struct WorkerSummary {
  std::string stop_reason;  // "signal" (Stop() called) or "idle"
  double uptime_seconds = 0;
  int64_t processed = 0;           // handler successes
  int64_t failed = 0;              // handler failures
  int64_t dead_lettered = 0;       // moved or left for the redrive policy
  int64_t returned_unstarted = 0;  // received but not started at shutdown, made visible at once
  // Handlers still running when the grace period ended. When > 0 their threads still run and
  // reference the runtime: the caller must end the process (std::_Exit) without destroying it.
  int64_t abandoned = 0;
};

class WorkerRuntime {
 public:
  // Every pointer must outlive the runtime. With `leases` null, jobs of one user are still
  // serialized among this process's threads, but not against other processes: only for a single
  // worker process per queue and database (benchmarks, an all-in-one deployment).
  WorkerRuntime(WorkerOptions options, queue::QueueService* queues, UserLeases* leases,
                const HandlerRegistry* registry, WorkerMetrics* metrics,
                const Clock* clock = &SystemClock::Default());
  ~WorkerRuntime();
  WorkerRuntime(const WorkerRuntime&) = delete;
  WorkerRuntime& operator=(const WorkerRuntime&) = delete;

  // Sets up the queues (modes sqs and both), runs until Stop() or idle exit, drains, logs the
  // summary. Fails only when it cannot start (queue set-up). REQUIRES: called at most once.
  Result<WorkerSummary> Run();

  // Begins a graceful stop: no more receives or sweeps, unstarted messages become visible at once,
  // running handlers get the grace period.
  void Stop();

  const std::string& worker_id() const { return options_.worker_id; }

 private:
  enum class TaskState { kWaitingLease, kQueued, kRunning, kSettling };
  struct Task;
  struct SweepRun;
  struct Outcome;
  using TaskPtr = std::shared_ptr<Task>;
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Loops (one thread each).
  void ReceiveLoop();
  void SweepLoop();
  void HandlerLoop();
  void MaintainLoop();
  void SettleLoop();

  // Receiving and dispatch.
  void AcceptMessages(std::vector<queue::Message> messages);
  // Takes the users' leases and queues the tasks for the handler threads. `for_receiver`: the
  // caller is the receiver and runs RunReadyInline next, so cheap tasks wake no handler thread.
  void AcquireAndDispatch(std::vector<TaskPtr> tasks, bool for_receiver = false);
  bool WaitForCapacity(size_t limit);
  // Runs the handler of a task popped from ready_ (state kRunning, counted in running_), without
  // a lock; `start` is "now" as the caller last read it. Returns the outcome and sets `*end` to
  // when the handler ended, which serves the caller as "now" from then on (clock reads are a
  // visible part of what the runtime costs per message).
  Outcome RunHandler(TaskPtr task, SteadyTime start, SteadyTime* end);
  // Records the outcome of a task that ran, for Settle. `on_receiver`: it ran in RunReadyInline,
  // which settles its outcomes itself. REQUIRES: mu_ held.
  void FinishTaskLocked(Outcome outcome, SteadyTime end, bool on_receiver);
  void RunSweep(const HandlerRegistry::Sweep& sweep);

  // Running cheap jobs on the receiving thread (worker_runtime_inline.cc).
  void RunReadyInline();
  bool CheapLocked(const Task& task) const;                     // REQUIRES: mu_ held
  void RecordHandlerSecondsLocked(const Task& task, double s);  // REQUIRES: mu_ held
  void HandOffStuckInline();                                    // maintainer: see RunReadyInline
  bool AnyReadyLocked() const;                                  // REQUIRES: mu_ held

  // Maintenance.
  void Heartbeat();
  void RetryWaiting();
  // Puts a queue task's message back, visible again after `delay_seconds`, without counting a
  // failure (user busy, or the handler asked to retry later). No-op for sweep tasks.
  void Defer(const TaskPtr& task, int delay_seconds, const char* reason, const std::string& detail);
  void Settle(std::vector<Outcome> outcomes);
  void ReturnUnstarted();
  void ReturnTasks(std::vector<TaskPtr> tasks);
  void ChangeVisibility(std::vector<queue::HandleEntry> entries, const char* operation);
  void RefreshQueueDepth();

  void StopWith(const char* reason);
  std::string NextLeaseOwner();
  int HeartbeatTickMillis() const;
  size_t QueueTasksLocked() const;  // REQUIRES: mu_ held
  // Whether the collected outcomes should be settled now. REQUIRES: mu_ held.
  bool SettleNowLocked() const;

  // Outcomes are settled together once this many have collected, when no handler is running or
  // queued, or kSettleDelay after the first, whichever comes first.
  static constexpr size_t kMaxSettleBatch = 10;
  static constexpr std::chrono::milliseconds kSettleDelay{5};
  // The receiving thread hands what is left of a batch to the handler threads once it has run
  // handlers for this long, and the maintainer does so for it when a handler outlasts this.
  static constexpr std::chrono::milliseconds kInlineBudget{2};

  WorkerOptions options_;
  queue::QueueService* const queues_;
  UserLeases* const leases_;
  const HandlerRegistry* const registry_;
  WorkerMetrics* const metrics_;
  const Clock* const clock_;
  Backoff backoff_;
  QueueSetup setup_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> handlers_exit_{false};
  std::atomic<bool> maintenance_exit_{false};
  std::atomic<uint64_t> lease_seq_{0};
  std::atomic<int64_t> processed_{0}, failed_{0}, dead_lettered_{0}, returned_{0};
  SteadyTime started_at_;

  // Orders visibility changes: held across every ChangeMessageVisibility call so that a heartbeat
  // that read a task as running cannot override the retry delay or the 0 set after it; Settle
  // holds it while it moves settled tasks' receipt handles and lease owners out, which such a
  // heartbeat reads. Acquired before mu_, never while holding it.
  std::mutex visibility_mu_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;      // handler threads: ready_ or exit
  std::condition_variable state_cv_;     // capacity, settled tasks, drain; also notified on stop
  std::condition_variable stop_cv_;      // stop only: waits that end at stop and nothing else
  std::condition_variable maintain_cv_;  // maintainer: a local lease was released, or exit
  std::condition_variable settle_cv_;    // settler: outcomes_ or exit
  const char* stop_reason_ = "signal";   // guarded by mu_
  uint64_t next_task_id_ = 1;            // guarded by mu_
  FlatMap<uint64_t, TaskPtr> tasks_;     // guarded by mu_; every task not yet settled
  std::deque<TaskPtr> ready_[3];         // guarded by mu_; by priority high, normal, low
  FlatSet<int64_t> local_users_;         // guarded by mu_; users leased by this process
  std::vector<Outcome> outcomes_;        // guarded by mu_
  SteadyTime settle_first_;              // guarded by mu_; when outcomes_ became non-empty
  bool local_release_ = false;           // guarded by mu_
  int running_ = 0;                      // guarded by mu_; handlers running, on any thread
  SteadyTime last_activity_;             // guarded by mu_
  // Moving average of handler run time in seconds per job type (by its metrics record).
  std::map<const JobTypeMetrics*, double> handler_seconds_;  // guarded by mu_
  bool receiver_running_ = false;      // guarded by mu_; the receiver runs a handler (since when:)
  SteadyTime receiver_running_since_;  // guarded by mu_
  bool receiver_exited_ = false;       // guarded by mu_; ReceiveLoop returned (or never ran)

  std::mutex depth_mu_;
  SteadyTime depth_refreshed_{};  // guarded by depth_mu_
};

}  // namespace mlw::worker
