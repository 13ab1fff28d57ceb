// Validation outcome of an ingest batch: every bad row with its index, field and reason, so that an
// API can answer with the full list (DESIGN.md error shape `details`).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace mlw::pipelines {

struct RowError {
  size_t index = 0;   // position in the submitted array
  std::string field;  // JSON field name, "" for the row as a whole
  std::string reason;
  bool operator==(const RowError&) const = default;
};

// {"index":…, "field":…, "reason":…} per error.
nlohmann::json RowErrorsToJson(const std::vector<RowError>& errors);

// The Status an ingest returns for a rejected batch: kInvalidArgument, reason "ValidationFailed",
// a message naming how many rows of `total` are bad and the first error.
Status ValidationFailed(const std::vector<RowError>& errors, size_t total, const char* noun);

}  // namespace mlw::pipelines
