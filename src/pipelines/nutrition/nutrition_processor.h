// The `process_pending_nutrition` job handler: claims the user's pending entries under a lease,
// re-validates them (a bad one is marked failed with its reason), then in one transaction
// recomputes every affected daily/weekly/monthly bucket from all processed entries plus the
// claimed ones, upserts the aggregates and marks the claimed entries processed. A crash after the
// claim leaves the entries leased; a later run reclaims them once the lease expires and the
// recompute gives the same result (docs/idempotency.md). Thread-safe as far as the Database is.
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "pipelines/process_options.h"
#include "store/database.h"

namespace mlw::pipelines::nutrition {

// kNotFound for an unknown user; other errors are retryable.
Result<ProcessStats> ProcessPendingNutrition(store::Database& db, const Clock& clock,
                                             int64_t user_id, const ProcessOptions& options = {});

}  // namespace mlw::pipelines::nutrition
