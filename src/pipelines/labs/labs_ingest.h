// Labs ingest: one report `{"report_date","lab_name"?,"tests":[{"name","value","unit"?,
// "reference_range"?,"flag"?,"specimen"?}]}` (DESIGN.md). Validates the whole report and, only if
// every test is good, writes the report and its tests as `pending` raw rows in one transaction
// with the caller's hook. A date-only report_date means local midnight in the user's zone.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/clock.h"
#include "pipelines/process_options.h"
#include "pipelines/row_error.h"
#include "store/database.h"

namespace mlw::pipelines::labs {

struct IngestOptions {
  int64_t max_future_us = 24LL * 3600 * 1000000;  // report_date at most a day ahead
  size_t max_tests = 1000;
};

struct LabIngestReceipt {
  int64_t report_id = 0;
  int64_t tests = 0;
};

// Errors about a test carry its index in "tests"; errors about the report itself carry index 0
// and the report field's name ("report_date", "lab_name", "tests"). kNotFound for an unknown user.
Result<LabIngestReceipt> IngestLabReport(store::Database& db, const Clock& clock, int64_t user_id,
                                         const nlohmann::json& report, const InTxHook& in_tx,
                                         std::vector<RowError>* rejected,
                                         const IngestOptions& options = {});

}  // namespace mlw::pipelines::labs
