// Internal records of the worker runtime, shared by its two .cc files. Not part of the API.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/job.h"
#include "queue/queue.h"
#include "worker/worker_runtime.h"

namespace mlw::worker {

// One aggregation sweep of one job type; counters guarded by WorkerRuntime::mu_.
struct WorkerRuntime::SweepRun {
  int pending = 0;  // tasks created and not yet settled or dropped
  int processed = 0;
  int failed = 0;
  int skipped_busy = 0;
};

// A job from a queue message or a sweep, from receipt until settled. Fields other than the
// immutable ones (id, from_queue, message, job, sweep) are guarded by WorkerRuntime::mu_.
struct WorkerRuntime::Task {
  uint64_t id = 0;
  bool from_queue = true;
  queue::Message message;  // from_queue only
  Job job;
  const JobTypeMetrics* metrics = nullptr;  // of job.job_type
  const JobHandler* handler = nullptr;      // of job.job_type
  std::shared_ptr<SweepRun> sweep;          // sweep tasks only

  TaskState state = TaskState::kWaitingLease;
  std::string lease_owner;
  bool lease_held = false;
  bool lease_attempt_in_progress = false;
  SteadyTime next_heartbeat;       // next visibility extension and lease renewal
  SteadyTime lease_wait_deadline;  // kWaitingLease: put back after this
  SteadyTime next_lease_try;       // kWaitingLease: ask the database again after this
};

struct WorkerRuntime::Outcome {
  TaskPtr task;
  Status status;
  double seconds = 0;
};

}  // namespace mlw::worker
