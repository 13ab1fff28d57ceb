#include "pipelines/nutrition/nutrition_query.h"

#include "pipelines/users.h"

namespace mlw::pipelines::nutrition {

nlohmann::json NutritionAggregates::ToJson() const {
  auto zone = TimeZone::Find(timezone);
  TimeZone tz = zone.ok() ? *zone : TimeZone::Utc();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& b : buckets) {
    nlohmann::json totals = nlohmann::json::object(), avgs = nlohmann::json::object();
    for (const auto& [k, f] : b.nutrients) {
      totals[k] = f.total;
      avgs[k] = f.daily_average;
    }
    nlohmann::json meals = nlohmann::json::object();
    for (const auto& [meal, per] : b.by_meal) {
      nlohmann::json mt = nlohmann::json::object();
      int64_t entries = 0;
      for (const auto& [k, f] : per) {
        mt[k] = f.total;
        if (k == "calories") entries = f.entry_count;
      }
      meals[meal] = {{"entries", entries}, {"totals", mt}};
    }
    list.push_back({{"start", tz.Format(b.start_us)},
                    {"end", tz.Format(b.end_us)},
                    {"days_logged", b.days_logged},
                    {"entries", b.entries},
                    {"totals", totals},
                    {"daily_averages", avgs},
                    {"by_meal", meals}});
  }
  return {{"period", PeriodName(period)}, {"timezone", timezone}, {"buckets", list}};
}

Result<NutritionAggregates> QueryNutritionAggregates(store::Database& db, int64_t user_id,
                                                     Period period, int64_t from_us, int64_t to_us,
                                                     int64_t limit) {
  std::string table;
  switch (period) {
    case Period::kDaily:
      table = "nutrition_daily_aggregates";
      break;
    case Period::kWeekly:
      table = "nutrition_weekly_aggregates";
      break;
    case Period::kMonthly:
      table = "nutrition_monthly_aggregates";
      break;
    default:
      return InvalidArgument(std::string("nutrition has no ") + PeriodName(period) +
                             " aggregates; use daily, weekly or monthly");
  }
  MLW_ASSIGN_OR_RETURN(User user, GetUser(db, user_id));
  // The bucket window first (by the calories/all line every bucket has), then its lines.
  MLW_ASSIGN_OR_RETURN(
      store::Rows starts,
      db.Query("SELECT period_start_us FROM " + table +
                   " WHERE user_id = $1 AND nutrient = 'calories' AND meal_type = 'all' AND "
                   "period_start_us >= $2 AND period_start_us < $3 ORDER BY period_start_us "
                   "LIMIT $4",
               {user_id, from_us, to_us, limit}));
  NutritionAggregates result{period, user.timezone, {}};
  if (starts.empty()) return result;
  const int64_t last = starts.back().Int(0);
  MLW_ASSIGN_OR_RETURN(
      store::Rows rows,
      db.Query("SELECT period_start_us, period_end_us, nutrient, meal_type, total, entry_count, "
               "days_logged, daily_average FROM " +
                   table +
                   " WHERE user_id = $1 AND period_start_us >= $2 AND period_start_us <= $3 "
                   "ORDER BY period_start_us",
               {user_id, starts.front().Int(0), last}));
  for (const auto& r : rows) {
    if (result.buckets.empty() || result.buckets.back().start_us != r.Int(0)) {
      result.buckets.push_back({r.Int(0), r.Int(1), r.Int(6), 0, {}, {}});
    }
    NutritionPeriod& b = result.buckets.back();
    NutrientFigures f{r.Real(4), r.Real(7), r.Int(5)};
    if (r.Text(3) == "all") {
      b.nutrients[r.Text(2)] = f;
      if (r.Text(2) == "calories") b.entries = f.entry_count;
    } else {
      b.by_meal[r.Text(3)][r.Text(2)] = f;
    }
  }
  return result;
}

}  // namespace mlw::pipelines::nutrition
