// Read side of nutrition for the API (GET /v1/users/{id}/nutrition/aggregates). Thread-safe as
// far as the Database is.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/time_bucket.h"
#include "store/database.h"

namespace mlw::pipelines::nutrition {

struct NutrientFigures {
  double total = 0;
  double daily_average = 0;
  int64_t entry_count = 0;
};

struct NutritionPeriod {
  int64_t start_us = 0;
  int64_t end_us = 0;
  int64_t days_logged = 0;
  int64_t entries = 0;  // entries in the bucket (every entry has calories)
  std::map<std::string, NutrientFigures> nutrients;                       // meal "all"
  std::map<std::string, std::map<std::string, NutrientFigures>> by_meal;  // meal -> nutrient
};

struct NutritionAggregates {
  Period period = Period::kDaily;
  std::string timezone;
  std::vector<NutritionPeriod> buckets;
  // {"period","timezone","buckets":[{"start","end","days_logged","entries",
  //  "totals":{nutrient: total}, "daily_averages":{nutrient: avg},
  //  "by_meal":{meal:{"entries", "totals":{…}}}}]}
  nlohmann::json ToJson() const;
};

// Buckets whose start lies in [from_us, to_us), oldest first, at most `limit`. Periods: daily,
// weekly, monthly; kInvalidArgument otherwise, kNotFound for no such user.
Result<NutritionAggregates> QueryNutritionAggregates(store::Database& db, int64_t user_id,
                                                     Period period, int64_t from_us, int64_t to_us,
                                                     int64_t limit = 1000);

}  // namespace mlw::pipelines::nutrition
