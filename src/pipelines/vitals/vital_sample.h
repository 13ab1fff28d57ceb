// One vitals sample as submitted (DESIGN.md: POST /v1/users/{id}/vitals) and its categorization
// into canonical series values. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipelines/row_error.h"
#include "pipelines/vitals/vital_catalog.h"

namespace mlw::pipelines::vitals {

struct VitalSample {
  std::string metric;
  std::optional<double> value;   // systolic for blood_pressure
  std::optional<double> value2;  // diastolic for blood_pressure
  std::string unit;
  std::string stage;  // sleep only
  int64_t start_us = 0;
  int64_t end_us = 0;  // == start_us when the client sent no end
  int utc_offset_s = 0;
  std::string source;
};

// A sample's contribution to one series, in the series' canonical unit.
struct SeriesValue {
  const MetricDef* metric = nullptr;
  const Series* series = nullptr;
  double value = 0;
  int64_t start_us = 0;
  int64_t end_us = 0;
};

// Parses the JSON array of samples. Rows that fail to parse get errors (index, field, reason) and
// are left out of the result; unknown fields are errors too.
std::vector<std::pair<size_t, VitalSample>> ParseVitalSamples(const nlohmann::json& samples,
                                                              std::vector<RowError>* errors);

// Checks a sample against the catalog (metric, unit, plausible value, sleep stage, span) and
// converts it to its series values. On failure appends errors tagged with `index` and returns {}.
std::vector<SeriesValue> Categorize(const VitalSample& sample, size_t index,
                                    std::vector<RowError>* errors);

// Time checks that depend on the present: not more than `max_future_us` after `now_us`, not
// before 1900. Appends errors tagged with `index`.
void CheckSampleTimes(const VitalSample& sample, size_t index, int64_t now_us,
                      int64_t max_future_us, std::vector<RowError>* errors);

}  // namespace mlw::pipelines::vitals
