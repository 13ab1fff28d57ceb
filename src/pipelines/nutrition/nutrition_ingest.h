// Nutrition ingest: validates the whole batch and writes `pending` raw rows only if every entry is
// good, in one transaction with the caller's hook. Same contract as vitals ingest.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/clock.h"
#include "pipelines/process_options.h"
#include "pipelines/row_error.h"
#include "store/database.h"

namespace mlw::pipelines::nutrition {

struct IngestOptions {
  int64_t max_future_us = 3600LL * 1000000;  // eaten_at may be at most 1 hour ahead
  size_t max_entries = 10000;                // larger batches: kResourceExhausted
};

// `entries` is the JSON array of DESIGN.md. Returns the number of entries stored. A bad batch
// returns kInvalidArgument (reason "ValidationFailed") with every bad row in `rejected` and
// writes nothing; kNotFound for an unknown user.
Result<int64_t> IngestNutrition(store::Database& db, const Clock& clock, int64_t user_id,
                                const nlohmann::json& entries, const InTxHook& in_tx,
                                std::vector<RowError>* rejected, const IngestOptions& options = {});

}  // namespace mlw::pipelines::nutrition
