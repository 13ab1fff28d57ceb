#include "pipelines/vitals/vitals_query.h"

#include "pipelines/users.h"
#include "pipelines/vitals/vital_catalog.h"

namespace mlw::pipelines::vitals {

nlohmann::json VitalsAggregates::ToJson() const {
  auto zone = TimeZone::Find(timezone);
  TimeZone tz = zone.ok() ? *zone : TimeZone::Utc();
  nlohmann::json out = {{"metric", metric}, {"period", PeriodName(period)}, {"timezone", timezone}};
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : series) {
    nlohmann::json buckets = nlohmann::json::array();
    for (const auto& b : s.buckets) {
      buckets.push_back({{"start", tz.Format(b.start_us)},
                         {"end", tz.Format(b.end_us)},
                         {"count", b.count},
                         {"sum", b.sum},
                         {"avg", b.avg},
                         {"min", b.min},
                         {"max", b.max},
                         {"latest", b.latest},
                         {"latest_at", tz.Format(b.latest_at_us)}});
    }
    list.push_back({{"series", s.series},
                    {"loinc_code", s.loinc_code},
                    {"loinc_name", s.loinc_name},
                    {"unit", s.unit},
                    {"aggregation", s.aggregation},
                    {"buckets", std::move(buckets)}});
  }
  out["series"] = std::move(list);
  return out;
}

Result<VitalsAggregates> QueryVitalsAggregates(store::Database& db, int64_t user_id,
                                               const std::string& metric, Period period,
                                               int64_t from_us, int64_t to_us, int64_t limit) {
  const char* sql = nullptr;
  switch (period) {
    case Period::kHourly:
      sql =
          "SELECT period_start_us, period_end_us, sample_count, total, average, minimum, "
          "maximum, latest_value, latest_at_us FROM vitals_hourly_aggregates WHERE user_id = $1 "
          "AND series = $2 AND period_start_us >= $3 AND period_start_us < $4 "
          "ORDER BY period_start_us LIMIT $5";
      break;
    case Period::kDaily:
      sql =
          "SELECT period_start_us, period_end_us, sample_count, total, average, minimum, "
          "maximum, latest_value, latest_at_us FROM vitals_daily_aggregates WHERE user_id = $1 "
          "AND series = $2 AND period_start_us >= $3 AND period_start_us < $4 "
          "ORDER BY period_start_us LIMIT $5";
      break;
    case Period::kWeekly:
      sql =
          "SELECT period_start_us, period_end_us, sample_count, total, average, minimum, "
          "maximum, latest_value, latest_at_us FROM vitals_weekly_aggregates WHERE user_id = $1 "
          "AND series = $2 AND period_start_us >= $3 AND period_start_us < $4 "
          "ORDER BY period_start_us LIMIT $5";
      break;
    case Period::kMonthly:
      sql =
          "SELECT period_start_us, period_end_us, sample_count, total, average, minimum, "
          "maximum, latest_value, latest_at_us FROM vitals_monthly_aggregates WHERE user_id = $1 "
          "AND series = $2 AND period_start_us >= $3 AND period_start_us < $4 "
          "ORDER BY period_start_us LIMIT $5";
      break;
    default:
      return InvalidArgument(std::string("vitals have no ") + PeriodName(period) +
                             " aggregates; use hourly, daily, weekly or monthly");
  }
  std::vector<const Series*> wanted;
  const MetricDef* def = FindMetric(metric);
  if (def != nullptr) {
    for (const auto& s : def->series) wanted.push_back(&s);
  } else {
    const Series* one = nullptr;
    def = FindMetricBySeries(metric, &one);
    if (def == nullptr) {
      return InvalidArgument("unknown metric '" + metric.substr(0, 64) + "'", "UnknownMetric");
    }
    wanted.push_back(one);
  }
  MLW_ASSIGN_OR_RETURN(User user, GetUser(db, user_id));
  VitalsAggregates result{metric, period, user.timezone, {}};
  for (const Series* s : wanted) {
    SeriesAggregates out{std::string(s->name),
                         std::string(s->loinc_code),
                         std::string(s->loinc_name),
                         std::string(def->canonical_unit),
                         def->kind == AggregationKind::kCumulative ? "cumulative" : "discrete",
                         {}};
    MLW_ASSIGN_OR_RETURN(store::Rows rows,
                         db.Query(sql, {user_id, out.series, from_us, to_us, limit}));
    for (const auto& r : rows) {
      out.buckets.push_back({r.Int(0), r.Int(1), r.Int(2), r.Real(3), r.Real(4), r.Real(5),
                             r.Real(6), r.Real(7), r.Int(8)});
    }
    result.series.push_back(std::move(out));
  }
  return result;
}

}  // namespace mlw::pipelines::vitals
