// Binds the pipelines' handlers to the worker's job types, in one place (STYLE.md: handlers
// registered by job_type in one table). Each handler first consumes the (user, job type) trigger
// in the outbox, so uploads arriving during the run record a new trigger, then processes every
// claimable row of the user (pipelines/*_processor.h).
#pragma once

#include "core/clock.h"
#include "core/status.h"
#include "pipelines/labs/lab_coder.h"
#include "pipelines/process_options.h"
#include "store/database.h"
#include "triggers/trigger_outbox.h"
#include "worker/handler_registry.h"
#include "worker/worker_config.h"

namespace mlw::cli {

// `options` applies to every run (row lease length). REQUIRES: db, lab_coder and clock outlive the
// registry's use.
Status RegisterPipelineJobs(worker::HandlerRegistry& registry, store::Database& db,
                            const pipelines::labs::LabCoder& lab_coder, const Clock& clock,
                            const pipelines::ProcessOptions& options = {});

// A worker::JobBinder for `mlworker worker`: opens the mapping engine (built-in catalog plus
// <data-dir>/loinc.db) and registers every pipeline job type, with the row lease of
// `config.row_lease_seconds`.
Status BindPipelineJobs(worker::HandlerRegistry& registry, store::Database& db,
                        const worker::WorkerConfig& config);

}  // namespace mlw::cli
