// Running cheap jobs on the receiving thread. Waking a handler thread for a job, and the settler
// for its outcome, costs several context switches: more than a handler that takes microseconds.
// So after each receive the receiver runs the ready jobs of such types itself, one after another,
// and settles them with one delete batch, with no other thread involved. Everything else about a
// job is unchanged: it holds its user's lease (taken before it became ready), the maintainer
// heartbeats it, it counts in running_ (at most `concurrency` handlers at once) and its outcome
// is settled by Settle().
#include <algorithm>
#include <optional>

#include "worker/worker_runtime.h"
#include "worker/worker_runtime_internal.h"

namespace mlw::worker {

using std::chrono::steady_clock;

bool WorkerRuntime::AnyReadyLocked() const {
  return !ready_[0].empty() || !ready_[1].empty() || !ready_[2].empty();
}

bool WorkerRuntime::CheapLocked(const Task& task) const {
  auto it = handler_seconds_.find(task.metrics);
  return it != handler_seconds_.end() && it->second < options_.inline_max_handler_seconds;
}

void WorkerRuntime::RecordHandlerSecondsLocked(const Task& task, double s) {
  // An exponential moving average over about the last 8 runs: one slow run makes the type
  // expensive at once, and it takes a few fast runs on the handler threads to become cheap again.
  auto [it, fresh] = handler_seconds_.try_emplace(task.metrics, s);
  if (!fresh) it->second += (s - it->second) / 8;
}

void WorkerRuntime::RunReadyInline() {
  const auto start = steady_clock::now();
  auto now = start;  // the end of the job run last: only a lock has been taken since
  // The outcome of the job run last, recorded in the same critical section that takes the next.
  std::optional<Outcome> done;
  bool ran = false;
  while (true) {
    TaskPtr task;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (done) {
        FinishTaskLocked(std::move(*done), now, /*on_receiver=*/true);
        done.reset();
      }
      // Strictly in dispatch order: the first ready job, if it is cheap.
      if (!stopping_.load() && running_ < options_.concurrency && now - start < kInlineBudget) {
        for (auto& q : ready_) {
          if (q.empty()) continue;
          if (CheapLocked(*q.front())) {
            task = std::move(q.front());
            q.pop_front();
          }
          break;
        }
      }
      if (!task) {
        // Whatever is left (expensive, over budget, no free slot) goes to the handler threads.
        if (AnyReadyLocked()) work_cv_.notify_all();
        break;
      }
      task->state = TaskState::kRunning;
      ++running_;
      receiver_running_ = true;
      receiver_running_since_ = now;
    }
    // The receiver counts as one handler in flight for its whole run of jobs: they run back to
    // back, and two gauge updates per job would be most of what such a job costs.
    if (!ran) metrics_->in_flight_now.Add(1);
    ran = true;
    done = RunHandler(std::move(task), now, &now);
  }
  if (!ran) return;
  metrics_->in_flight_now.Add(-1);
  // The receive batch is done: settle it now (with any outcomes of the handler threads that
  // collected meanwhile) rather than wake the settler.
  std::vector<Outcome> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(outcomes_);
  }
  if (!batch.empty()) Settle(std::move(batch));
}

void WorkerRuntime::HandOffStuckInline() {
  // A cheap job type can still take long once (a lock wait, a cold cache): the rest of its batch
  // then goes to the handler threads within a maintainer tick instead of waiting behind it.
  std::lock_guard<std::mutex> lock(mu_);
  if (receiver_running_ && steady_clock::now() - receiver_running_since_ >= kInlineBudget &&
      AnyReadyLocked()) {
    work_cv_.notify_all();
  }
}

}  // namespace mlw::worker
