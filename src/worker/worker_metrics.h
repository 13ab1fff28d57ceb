// The worker's metrics, registered in a metrics::Registry under the `mlworker_worker_` prefix.
// Label `job_type` is a registered job type, or "invalid" for messages that failed validation.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/metrics.h"

namespace mlw::worker {

// The per-job-type children of WorkerMetrics' families, resolved once so that the per-message
// path does not build label vectors and search the families.
struct JobTypeMetrics {
  metrics::Counter* received;
  metrics::Counter* processed;
  metrics::Counter* failed;
  metrics::Histogram* duration;
};

struct WorkerMetrics {
  // Registers every family in `registry`, which must outlive this object, plus
  // mlworker_build_info{version} = 1.
  WorkerMetrics(metrics::Registry& registry, const std::string& version);

  metrics::Family<metrics::Counter>& received;       // {job_type}
  metrics::Family<metrics::Counter>& processed;      // {job_type}
  metrics::Family<metrics::Counter>& failed;         // {job_type}
  metrics::Family<metrics::Counter>& dead_lettered;  // {job_type, reason}
  metrics::Family<metrics::Counter>& deferred;       // {job_type}: user busy, not a failure
  metrics::Family<metrics::Histogram>& duration;     // {job_type}, seconds
  metrics::Family<metrics::Gauge>& in_flight;        // handlers running now
  metrics::Family<metrics::Gauge>& queue_messages;   // {queue, state}
  metrics::Family<metrics::Gauge>& last_sweep;       // {job_type}, unix seconds
  metrics::Family<metrics::Counter>& sweep_users;    // {job_type}: users found by sweeps
  metrics::Family<metrics::Counter>& errors;         // {operation}: queue/database call failures
  metrics::Gauge& in_flight_now;                     // in_flight's only child

  // The children labelled `job_type`; the reference stays valid as long as this object.
  const JobTypeMetrics& ForJobType(const std::string& job_type);

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<JobTypeMetrics>, std::less<>> by_job_type_;  // GUARDED_BY
};

}  // namespace mlw::worker
