// Pure aggregation of categorized lab results of one test into period buckets. A result counts in
// the bucket of its report date. Numeric statistics use the results in the unit of the bucket's
// latest numeric result (after normalization all results of a test with a canonical unit share
// it; a test without one could mix units, which must not be averaged together).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time_bucket.h"

namespace mlw::pipelines::labs {

struct LabPoint {
  int64_t raw_id = 0;
  int64_t report_date_us = 0;
  std::string test_name;
  std::optional<double> value;  // canonical numeric value
  std::string unit;             // canonical unit (or as printed)
  std::string value_text;
  bool out_of_range = false;
};

struct LabBucket {
  int64_t start_us = 0, end_us = 0;
  int64_t result_count = 0, numeric_count = 0, out_of_range_count = 0;
  std::optional<double> avg, min, max, latest_value;
  std::string latest_text, test_name, unit;
  int64_t latest_at_us = 0;
};

// Buckets whose start lies in [from_us, to_us), ordered by start.
std::vector<LabBucket> RollupLabs(const std::vector<LabPoint>& points, Bucketer& bucketer,
                                  int64_t from_us, int64_t to_us);

}  // namespace mlw::pipelines::labs
