// Pure aggregation of nutrition entries into period buckets. An entry counts wholly in the bucket
// of its eaten_at (a meal is an instant). Per bucket, per nutrient and per meal type ("all" and
// each of breakfast/lunch/dinner/snack): total and entry count; per bucket: days_logged, the
// number of local days with at least one entry of any meal; daily_average = total / days_logged
// (an average over days with entries, not over calendar days: unlogged days are unknown, not 0).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/time_bucket.h"

namespace mlw::pipelines::nutrition {

struct EntryPoint {
  int64_t eaten_at_us = 0;
  std::string meal_type;
  std::map<std::string, double> nutrients;
};

struct NutrientTotal {
  double total = 0;
  int64_t entry_count = 0;
};

struct NutritionBucket {
  int64_t start_us = 0;
  int64_t end_us = 0;
  int64_t days_logged = 0;
  // (nutrient, meal_type) -> total; meal_type "all" sums every meal.
  std::map<std::pair<std::string, std::string>, NutrientTotal> totals;
};

// Buckets whose start lies in [from_us, to_us), ordered by start. `days` must be a daily
// Bucketer of the same zone. REQUIRES: every entry in those buckets is in `entries`.
std::vector<NutritionBucket> RollupNutrition(const std::vector<EntryPoint>& entries,
                                             Bucketer& period, Bucketer& days, int64_t from_us,
                                             int64_t to_us);

}  // namespace mlw::pipelines::nutrition
