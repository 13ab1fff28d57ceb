// Realistic demo uploads for `mlworker run --demo`: a year of wearable vitals, meal logs and three
// lab reports for one person, generated deterministically (fixed seed) so that every demo shows the
// same charts. Bodies are in the HTTP API's request shapes (docs/openapi.yaml).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace mlw::cli {

struct DemoUploads {
  std::vector<nlohmann::json> vitals_batches;     // each {"samples":[…]}, at most 2,000 samples
  std::vector<nlohmann::json> nutrition_batches;  // each {"entries":[…]}
  std::vector<nlohmann::json> lab_reports;        // each {"report_date","lab_name","tests":[…]}
  int64_t vitals_samples = 0;
  int64_t meal_entries = 0;
  int64_t lab_tests = 0;
};

// A year of data ending at `end_micros` (exclusive, UTC), in UTC offsets.
DemoUploads MakeDemoUploads(int64_t end_micros);

}  // namespace mlw::cli
