#include "cli/job_bindings.h"

#include <functional>
#include <memory>

#include "mapping/catalog_store.h"
#include "pipelines/labs/engine_lab_coder.h"
#include "pipelines/labs/labs_processor.h"
#include "pipelines/lease.h"
#include "pipelines/nutrition/nutrition_processor.h"
#include "pipelines/user_status.h"
#include "pipelines/vitals/vitals_processor.h"
#include "triggers/trigger_outbox.h"

namespace mlw::cli {
namespace {

using ProcessFn = std::function<Result<pipelines::ProcessStats>(
    int64_t user_id, const pipelines::ProcessOptions& options)>;

Status Bind(worker::HandlerRegistry& registry, store::Database& db, const Clock& clock,
            const std::string& job_type, pipelines::RawTable table,
            const pipelines::ProcessOptions& base, ProcessFn process) {
  MLW_RETURN_IF_ERROR(
      registry.Register(job_type, [&db, &clock, job_type, table, base, process](const Job& job) {
        // The trigger is consumed in the claim's own transaction: one commit fewer per job.
        bool consumed = false;
        pipelines::ProcessOptions options = base;
        options.before_claim = [&consumed, &job, &job_type, &clock](store::Connection& tx) {
          consumed = true;
          return triggers::TriggerOutbox::Consume(tx, job.user_id, job_type, clock.NowMicros());
        };
        Status processed = process(job.user_id, options).status();
        // A run that failed, or ended before its first claim (an unknown user), still clears the
        // trigger, as consuming before the run did: the hook ran, but its transaction may have
        // rolled back, and a trigger left behind would be resent by the relay forever. The
        // message itself comes back for a failed run.
        if (!consumed || !processed.ok()) {
          MLW_RETURN_IF_ERROR(
              triggers::TriggerOutbox::Consume(db, job.user_id, job_type, clock.NowMicros()));
        }
        MLW_RETURN_IF_ERROR(processed);
        // Rows still leased to another run (a worker that died holding them) are not done: the
        // message comes back when that lease expires rather than being acknowledged.
        return pipelines::RetryWhileLeasedElsewhere(db, table, job.user_id, clock.NowMicros());
      }));
  // Aggregation mode: users with claimable rows of this domain, whether or not a trigger exists.
  return registry.RegisterSweep(job_type,
                                [&db, &clock, job_type](int limit) -> Result<std::vector<int64_t>> {
                                  MLW_ASSIGN_OR_RETURN(std::vector<pipelines::SweepItem> items,
                                                       pipelines::Sweep(db, clock, limit));
                                  std::vector<int64_t> users;
                                  for (const auto& item : items) {
                                    if (item.job_type == job_type) users.push_back(item.user_id);
                                  }
                                  return users;
                                });
}

}  // namespace

Status RegisterPipelineJobs(worker::HandlerRegistry& registry, store::Database& db,
                            const pipelines::labs::LabCoder& lab_coder, const Clock& clock,
                            const pipelines::ProcessOptions& options) {
  MLW_RETURN_IF_ERROR(Bind(registry, db, clock, "process_pending_vitals",
                           pipelines::RawTable::kVitals, options,
                           [&db, &clock](int64_t user, const pipelines::ProcessOptions& o) {
                             return pipelines::vitals::ProcessPendingVitals(db, clock, user, o);
                           }));
  MLW_RETURN_IF_ERROR(
      Bind(registry, db, clock, "process_pending_nutrition", pipelines::RawTable::kNutrition,
           options, [&db, &clock](int64_t user, const pipelines::ProcessOptions& o) {
             return pipelines::nutrition::ProcessPendingNutrition(db, clock, user, o);
           }));
  return Bind(registry, db, clock, "process_pending_labs", pipelines::RawTable::kLabs, options,
              [&db, &clock, &lab_coder](int64_t user, const pipelines::ProcessOptions& o) {
                return pipelines::labs::ProcessPendingLabs(db, clock, user, lab_coder, o);
              });
}

Status BindPipelineJobs(worker::HandlerRegistry& registry, store::Database& db,
                        const worker::WorkerConfig& config) {
  // Lives as long as the process: the registry's handlers refer to it until the worker exits.
  static std::unique_ptr<mapping::MappingEngine> engine;
  static std::unique_ptr<pipelines::labs::EngineLabCoder> coder;
  MLW_ASSIGN_OR_RETURN(engine, mapping::OpenEngine(config.data_dir + "/loinc.db"));
  coder = std::make_unique<pipelines::labs::EngineLabCoder>(*engine);
  pipelines::ProcessOptions options;
  options.lease_micros = int64_t{config.row_lease_seconds} * 1'000'000;
  return RegisterPipelineJobs(registry, db, *coder, SystemClock::Default(), options);
}

}  // namespace mlw::cli
