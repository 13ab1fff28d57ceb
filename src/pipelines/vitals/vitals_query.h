// Read side of vitals for the API: aggregate buckets of one metric (or one series) for a period
// and time range, JSON-ready. Thread-safe as far as the Database is.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time_bucket.h"
#include "store/database.h"

namespace mlw::pipelines::vitals {

struct AggregateBucket {
  int64_t start_us = 0;
  int64_t end_us = 0;
  int64_t count = 0;
  double sum = 0, avg = 0, min = 0, max = 0, latest = 0;
  int64_t latest_at_us = 0;
};

struct SeriesAggregates {
  std::string series;
  std::string loinc_code;
  std::string loinc_name;
  std::string unit;
  std::string aggregation;  // "discrete" | "cumulative"
  std::vector<AggregateBucket> buckets;
};

struct VitalsAggregates {
  std::string metric;
  Period period = Period::kDaily;
  std::string timezone;
  std::vector<SeriesAggregates> series;
  // {"metric","period","timezone","series":[{"series","loinc_code","loinc_name","unit",
  //  "aggregation","buckets":[{"start","end","count","sum","avg","min","max","latest",
  //  "latest_at"}]}]}; times RFC 3339 in the user's zone.
  nlohmann::json ToJson() const;
};

// Buckets whose start lies in [from_us, to_us), oldest first, at most `limit` per series.
// `metric` is a catalog metric (all its series: blood_pressure gives systolic and diastolic, sleep
// every stage) or one series name (blood_pressure_systolic, sleep_deep). Periods: hourly, daily,
// weekly, monthly. kInvalidArgument for an unknown metric or period, kNotFound for no such user.
Result<VitalsAggregates> QueryVitalsAggregates(store::Database& db, int64_t user_id,
                                               const std::string& metric, Period period,
                                               int64_t from_us, int64_t to_us,
                                               int64_t limit = 10000);

}  // namespace mlw::pipelines::vitals
