#include "worker/worker_metrics.h"

namespace mlw::worker {

WorkerMetrics::WorkerMetrics(metrics::Registry& r, const std::string& version)
    : received(r.AddCounter("mlworker_worker_messages_received_total",
                            "Valid messages received from the work queue.", {"job_type"})),
      processed(r.AddCounter("mlworker_worker_messages_processed_total",
                             "Jobs whose handler succeeded (queue messages and sweeps).",
                             {"job_type"})),
      failed(r.AddCounter("mlworker_worker_messages_failed_total",
                          "Jobs whose handler returned an error or threw.", {"job_type"})),
      dead_lettered(r.AddCounter(
          "mlworker_worker_messages_dead_lettered_total",
          "Messages sent to the dead-letter queue: invalid ones by the worker, exhausted ones by "
          "the redrive policy on their next receive.",
          {"job_type", "reason"})),
      deferred(r.AddCounter("mlworker_worker_messages_deferred_total",
                            "Messages put back because another job held the user's lease.",
                            {"job_type"})),
      duration(r.AddHistogram("mlworker_worker_handler_duration_seconds",
                              "Handler run time in seconds.", {"job_type"},
                              metrics::DefaultDurationBuckets())),
      in_flight(r.AddGauge("mlworker_worker_in_flight", "Handlers running now.")),
      queue_messages(r.AddGauge("mlworker_worker_queue_messages",
                                "Approximate messages per queue and state "
                                "(visible, in_flight, delayed).",
                                {"queue", "state"})),
      last_sweep(r.AddGauge("mlworker_worker_last_sweep_timestamp_seconds",
                            "Unix time at which the last aggregation sweep completed.",
                            {"job_type"})),
      sweep_users(r.AddCounter("mlworker_worker_sweep_users_total",
                               "Users with pending work found by aggregation sweeps.",
                               {"job_type"})),
      errors(r.AddCounter("mlworker_worker_errors_total",
                          "Failed queue or database calls made by the runtime.", {"operation"})),
      in_flight_now(in_flight.Get()) {
  r.AddGauge("mlworker_build_info", "Build information; the value is always 1.", {"version"})
      .WithLabels({version})
      .Set(1);
}

const JobTypeMetrics& WorkerMetrics::ForJobType(const std::string& job_type) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<JobTypeMetrics>& slot = by_job_type_[job_type];
  if (!slot) {
    slot = std::make_unique<JobTypeMetrics>(
        JobTypeMetrics{&received.WithLabels({job_type}), &processed.WithLabels({job_type}),
                       &failed.WithLabels({job_type}), &duration.WithLabels({job_type})});
  }
  return *slot;
}

}  // namespace mlw::worker
