// Vitals ingest: validates a whole batch and, only if every sample is good, writes them as
// `pending` raw rows in one transaction together with the caller's hook (trigger/outbox).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/clock.h"
#include "pipelines/process_options.h"
#include "pipelines/row_error.h"
#include "pipelines/vitals/vital_sample.h"
#include "store/database.h"

namespace mlw::pipelines::vitals {

struct IngestOptions {
  // Samples whose start or end lies further than this after now are rejected ("far in the
  // future"); allows for client clock skew. Microseconds; default 1 hour.
  int64_t max_future_us = 3600LL * 1000000;
  // Largest batch accepted; larger ones fail with kResourceExhausted. Default 100,000.
  size_t max_samples = 100000;
};

struct IngestReceipt {
  int64_t accepted = 0;
};

// `samples` is the JSON array of DESIGN.md. A bad batch returns kInvalidArgument (reason
// "ValidationFailed"), fills `rejected` with every bad row and writes nothing. kNotFound for an
// unknown user. `in_tx` (may be empty) runs inside the transaction after the rows are written.
Result<IngestReceipt> IngestVitals(store::Database& db, const Clock& clock, int64_t user_id,
                                   const nlohmann::json& samples, const InTxHook& in_tx,
                                   std::vector<RowError>* rejected,
                                   const IngestOptions& options = {});

// The same for already-typed samples (bulk loaders, benchmarks).
Result<IngestReceipt> IngestVitalSamples(store::Database& db, const Clock& clock, int64_t user_id,
                                         const std::vector<VitalSample>& samples,
                                         const InTxHook& in_tx, std::vector<RowError>* rejected,
                                         const IngestOptions& options = {});

}  // namespace mlw::pipelines::vitals
