// The `process_pending_vitals` job handler: claims the user's pending vitals rows under a lease,
// categorizes them into series values (vitals_raw_categorized, one row per raw row and series,
// upserted), then recomputes every affected bucket (hourly and daily from the categorized rows of
// the touched days, weekly and monthly from those days' aggregates; vitals_recompute.h) and
// upserts it, and marks the raw rows processed.
//
// A round of up to ProcessOptions::single_transaction_rows rows (what a user's uploads of a few
// seconds amount to) does all of that in one transaction: a crash leaves the rows pending and the
// trigger unconsumed, as if the run never started. A larger round takes three transactions
// (claim, categorize, aggregate) so that none holds the writer for long; a crash between any two
// leaves rows leased, and a later run reclaims them after the lease and converges to the same
// aggregates (docs/idempotency.md).
//
// Thread-safe as far as the Database is; two runs for the same user at once are safe (leases keep
// their rows apart) but the worker never does that.
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "pipelines/process_options.h"
#include "store/database.h"

namespace mlw::pipelines::vitals {

// kNotFound for an unknown user (the trigger is invalid); other errors are retryable.
Result<ProcessStats> ProcessPendingVitals(store::Database& db, const Clock& clock, int64_t user_id,
                                          const ProcessOptions& options = {});

}  // namespace mlw::pipelines::vitals
