// Read side of labs for the API: categorized results in a date range and per-test aggregate
// buckets. JSON-ready; thread-safe as far as the Database is.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time_bucket.h"
#include "store/database.h"

namespace mlw::pipelines::labs {

struct LabResult {
  int64_t report_id = 0;
  int64_t report_date_us = 0;
  std::string lab_name;
  std::string test_name, loinc_code, loinc_name, category, coding_status;
  double confidence = 0;
  std::string value_text, comparator, unit, canonical_unit, reference_range, flag, flag_source;
  std::optional<double> value, canonical_value, ref_low, ref_high;
  bool out_of_range = false;
};

struct LabResults {
  std::string timezone;
  std::vector<LabResult> results;
  // {"timezone","results":[{"report_id","report_date","lab_name","test_name","loinc_code",
  //  "loinc_name","category","confidence","coding_status","value","value_text","comparator",
  //  "unit","canonical_value","canonical_unit","reference_range","ref_low","ref_high","flag",
  //  "flag_source","out_of_range"}]} (absent values are null)
  nlohmann::json ToJson() const;
};

// Results of reports dated in [from_us, to_us), newest report first, at most `limit`.
Result<LabResults> QueryLabResults(store::Database& db, int64_t user_id, int64_t from_us,
                                   int64_t to_us, int64_t limit = 5000);

struct LabAggregateBucket {
  int64_t start_us = 0, end_us = 0;
  int64_t result_count = 0, numeric_count = 0, out_of_range_count = 0;
  std::optional<double> avg, min, max, latest_value;
  std::string latest_text;
  int64_t latest_at_us = 0;
};

struct LabTestAggregates {
  std::string test_key, loinc_code, test_name, unit;
  std::vector<LabAggregateBucket> buckets;
};

struct LabAggregates {
  Period period = Period::kMonthly;
  std::string timezone;
  std::vector<LabTestAggregates> tests;
  // {"period","timezone","tests":[{"test_key","loinc_code","test_name","unit","buckets":[{"start",
  //  "end","count","numeric_count","avg","min","max","latest","latest_text","latest_at",
  //  "out_of_range_count"}]}]}
  nlohmann::json ToJson() const;
};

// Buckets of one test (`loinc` is a LOINC code or an unmapped test's "name:…" key) or of every
// test when `loinc` is empty, whose start lies in [from_us, to_us). Periods: daily, monthly,
// quarterly, yearly.
Result<LabAggregates> QueryLabAggregates(store::Database& db, int64_t user_id, Period period,
                                         const std::string& loinc, int64_t from_us = INT64_MIN,
                                         int64_t to_us = INT64_MAX, int64_t limit = 10000);

}  // namespace mlw::pipelines::labs
