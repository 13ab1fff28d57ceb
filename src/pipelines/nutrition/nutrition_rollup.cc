#include "pipelines/nutrition/nutrition_rollup.h"

#include <set>

namespace mlw::pipelines::nutrition {

std::vector<NutritionBucket> RollupNutrition(const std::vector<EntryPoint>& entries,
                                             Bucketer& period, Bucketer& days, int64_t from_us,
                                             int64_t to_us) {
  std::map<int64_t, NutritionBucket> buckets;
  std::map<int64_t, std::set<int64_t>> logged_days;
  for (const auto& e : entries) {
    Bucket b = period.BucketOf(e.eaten_at_us);
    if (b.start_us < from_us || b.start_us >= to_us) continue;
    NutritionBucket& nb = buckets[b.start_us];
    nb.start_us = b.start_us;
    nb.end_us = b.end_us;
    logged_days[b.start_us].insert(days.BucketOf(e.eaten_at_us).start_us);
    for (const auto& [key, amount] : e.nutrients) {
      for (const std::string& meal : {std::string("all"), e.meal_type}) {
        NutrientTotal& t = nb.totals[{key, meal}];
        t.total += amount;
        ++t.entry_count;
      }
    }
  }
  std::vector<NutritionBucket> out;
  out.reserve(buckets.size());
  for (auto& [start, nb] : buckets) {
    nb.days_logged = static_cast<int64_t>(logged_days[start].size());
    out.push_back(std::move(nb));
  }
  return out;
}

}  // namespace mlw::pipelines::nutrition
