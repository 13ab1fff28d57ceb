// The `process_pending_labs` job handler: claims the user's pending lab tests under a lease, codes
// each with the LabCoder (LOINC code, category), parses value and reference range, normalizes the
// unit where the test has a canonical one, takes the printed flag or derives one, and upserts one
// lab_report_categorized row per test (keyed by the raw row). Then it recomputes every affected
// daily/monthly/quarterly/yearly bucket per (user, test key) from the categorized rows and marks
// the tests processed. Same claim/lease/recompute model as vitals (docs/idempotency.md).
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "pipelines/labs/lab_coder.h"
#include "pipelines/process_options.h"
#include "store/database.h"

namespace mlw::pipelines::labs {

// `coder` must outlive the call. kNotFound for an unknown user; other errors are retryable.
Result<ProcessStats> ProcessPendingLabs(store::Database& db, const Clock& clock, int64_t user_id,
                                        const LabCoder& coder, const ProcessOptions& options = {});
// The same with the built-in RuleLabCoder.
Result<ProcessStats> ProcessPendingLabs(store::Database& db, const Clock& clock, int64_t user_id,
                                        const ProcessOptions& options = {});

}  // namespace mlw::pipelines::labs
