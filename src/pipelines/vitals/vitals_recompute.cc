#include "pipelines/vitals/vitals_recompute.h"

#include <algorithm>
#include <string>

#include "pipelines/bulk_insert.h"
#include "pipelines/vitals/vitals_rollup.h"

namespace mlw::pipelines::vitals {
namespace {

const char* AggregateTable(Period p) {
  switch (p) {
    case Period::kHourly:
      return "vitals_hourly_aggregates";
    case Period::kDaily:
      return "vitals_daily_aggregates";
    case Period::kWeekly:
      return "vitals_weekly_aggregates";
    default:
      return "vitals_monthly_aggregates";
  }
}

const BulkInsert& AggregateUpsert(Period p) {
  auto make = [](Period q) {
    return BulkInsert(AggregateTable(q),
                      {"user_id", "series", "period_start_us", "period_end_us", "loinc_code",
                       "unit", "sample_count", "total", "average", "minimum", "maximum",
                       "latest_value", "latest_at_us", "updated_at_us"},
                      "ON CONFLICT (user_id, series, period_start_us) DO UPDATE SET "
                      "period_end_us = excluded.period_end_us, loinc_code = excluded.loinc_code, "
                      "unit = excluded.unit, sample_count = excluded.sample_count, "
                      "total = excluded.total, average = excluded.average, "
                      "minimum = excluded.minimum, maximum = excluded.maximum, "
                      "latest_value = excluded.latest_value, latest_at_us = excluded.latest_at_us, "
                      "updated_at_us = excluded.updated_at_us");
  };
  static const BulkInsert upserts[] = {make(Period::kHourly), make(Period::kDaily),
                                       make(Period::kWeekly), make(Period::kMonthly)};
  return upserts[static_cast<int>(p)];
}

// What every upsert of one series shares.
struct SeriesContext {
  int64_t user_id;
  std::string name, loinc, unit;
  int64_t now_us;
  int64_t* buckets_written;
};

Status Upsert(store::Connection& conn, const SeriesContext& ctx, Period p,
              const std::vector<BucketAggregate>& buckets) {
  *ctx.buckets_written += static_cast<int64_t>(buckets.size());
  return AggregateUpsert(p).Run(conn, buckets.size(),
                                [&](size_t k, std::vector<store::Value>& out) {
                                  const BucketAggregate& a = buckets[k];
                                  out.emplace_back(ctx.user_id);
                                  out.emplace_back(ctx.name);
                                  out.emplace_back(a.start_us);
                                  out.emplace_back(a.end_us);
                                  out.emplace_back(ctx.loinc);
                                  out.emplace_back(ctx.unit);
                                  out.emplace_back(a.count);
                                  out.emplace_back(a.sum);
                                  out.emplace_back(a.avg());
                                  out.emplace_back(a.min);
                                  out.emplace_back(a.max);
                                  out.emplace_back(a.latest);
                                  out.emplace_back(a.latest_at_us);
                                  out.emplace_back(ctx.now_us);
                                });
}

// Maximal runs [start, end) of consecutive intervals, given as start -> end in start order.
std::vector<Bucket> Runs(const std::map<int64_t, int64_t>& intervals) {
  std::vector<Bucket> runs;
  for (const auto& [start, end] : intervals) {
    if (!runs.empty() && runs.back().end_us == start) {
      runs.back().end_us = end;
    } else {
      runs.push_back({start, end});
    }
  }
  return runs;
}

// Discrete series: hourly buckets of the hours [run.start_us, run.end_us), from categorized rows
// (a discrete sample counts only in the hour of its start).
Status RecomputeHours(store::Connection& conn, const SeriesContext& ctx, Bucketer& hourly,
                      const Bucket& run) {
  MLW_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT raw_id, value, start_us, end_us FROM vitals_raw_categorized "
                 "WHERE user_id = $1 AND series = $2 AND start_us >= $3 AND start_us < $4",
                 {ctx.user_id, ctx.name, run.start_us, run.end_us}));
  std::vector<Point> points;
  points.reserve(rows.size());
  for (const auto& r : rows) points.push_back({r.Int(0), r.Real(1), r.Int(2), r.Int(3)});
  return Upsert(conn, ctx, Period::kHourly,
                Rollup(points, AggregationKind::kDiscrete, hourly, run.start_us, run.end_us));
}

// Cumulative series: hourly and daily buckets of the days [run.start_us, run.end_us), from
// categorized rows.
Status RecomputeDays(store::Connection& conn, const SeriesContext& ctx,
                     const TouchedBuckets::SeriesBuckets& sd, Bucketer& hourly, Bucketer& daily,
                     const Bucket& run) {
  // An hour may straddle midnight where a zone changes offset at midnight: recompute whole hours.
  const int64_t hour_from = hourly.BucketOf(run.start_us).start_us;
  const int64_t hour_to = hourly.BucketOf(run.end_us - 1).end_us;
  // A sample that started up to kMaxSampleSpanMicros earlier may reach into the run.
  const int64_t load_from = std::min(hour_from, run.start_us) - kMaxSampleSpanMicros;
  const int64_t load_to = std::max(hour_to, run.end_us);
  MLW_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT raw_id, value, start_us, end_us FROM vitals_raw_categorized "
                 "WHERE user_id = $1 AND series = $2 AND start_us >= $3 AND start_us < $4",
                 {ctx.user_id, ctx.name, load_from, load_to}));
  std::vector<Point> points;
  points.reserve(rows.size());
  for (const auto& r : rows) points.push_back({r.Int(0), r.Real(1), r.Int(2), r.Int(3)});
  MLW_RETURN_IF_ERROR(Upsert(conn, ctx, Period::kHourly,
                             Rollup(points, sd.metric->kind, hourly, hour_from, hour_to)));
  return Upsert(conn, ctx, Period::kDaily,
                Rollup(points, sd.metric->kind, daily, run.start_us, run.end_us));
}

// The buckets of `coarse` holding any of the `touched` finer buckets (start -> end), from the
// aggregates of the `finer` period: days from hours, weeks and months from days.
Status RecomputeComposed(store::Connection& conn, const SeriesContext& ctx,
                         const std::map<int64_t, int64_t>& touched_finer, Period finer,
                         Bucketer& coarse) {
  std::map<int64_t, int64_t> touched;
  for (const auto& [finer_start, finer_end] : touched_finer) {
    Bucket b = coarse.BucketOf(finer_start);
    touched.emplace(b.start_us, b.end_us);
  }
  const std::string sql = std::string(
                              "SELECT period_start_us, period_end_us, sample_count, total, "
                              "minimum, maximum, latest_value, latest_at_us FROM ") +
                          AggregateTable(finer) +
                          " WHERE user_id = $1 AND series = $2 AND period_start_us >= $3 "
                          "AND period_start_us < $4";
  for (const Bucket& run : Runs(touched)) {
    MLW_ASSIGN_OR_RETURN(store::Rows rows,
                         conn.Query(sql, {ctx.user_id, ctx.name, run.start_us, run.end_us}));
    std::vector<BucketAggregate> parts;
    parts.reserve(rows.size());
    for (const auto& r : rows) {
      BucketAggregate d;
      d.start_us = r.Int(0);
      d.end_us = r.Int(1);
      d.count = r.Int(2);
      d.sum = r.Real(3);
      d.min = r.Real(4);
      d.max = r.Real(5);
      d.latest = r.Real(6);
      d.latest_at_us = r.Int(7);
      parts.push_back(d);
    }
    MLW_RETURN_IF_ERROR(
        Upsert(conn, ctx, coarse.period(), Compose(parts, coarse, run.start_us, run.end_us)));
  }
  return Status::Ok();
}

}  // namespace

void TouchedBuckets::Add(const SeriesValue& value) {
  SeriesBuckets& sd = by_series_[value.series->name];
  sd.metric = value.metric;
  sd.series = value.series;
  const bool spreads =
      value.metric->kind == AggregationKind::kCumulative && value.end_us > value.start_us;
  const int64_t last_instant = spreads ? value.end_us - 1 : value.start_us;
  if (value.metric->kind == AggregationKind::kDiscrete) {
    if (value.start_us < last_hour_.start_us || value.start_us >= last_hour_.end_us) {
      last_hour_ = hourly_.BucketOf(value.start_us);
    }
    sd.hours.emplace(last_hour_.start_us, last_hour_.end_us);
  }
  if (value.start_us >= last_day_.start_us && last_instant < last_day_.end_us) {
    sd.days.emplace(last_day_.start_us, last_day_.end_us);
    return;
  }
  for (Bucket b = daily_.BucketOf(value.start_us);; b = daily_.BucketOf(b.end_us)) {
    sd.days.emplace(b.start_us, b.end_us);
    last_day_ = b;
    if (last_instant < b.end_us || b.end_us <= b.start_us) break;
  }
}

Status RecomputeTouchedBuckets(store::Connection& conn, int64_t user_id, const TimeZone& zone,
                               const TouchedBuckets& touched, int64_t now_us,
                               int64_t* buckets_written) {
  Bucketer hourly(zone, Period::kHourly), daily(zone, Period::kDaily),
      weekly(zone, Period::kWeekly), monthly(zone, Period::kMonthly);
  for (const auto& [name, sd] : touched.by_series()) {
    const SeriesContext ctx{user_id,
                            std::string(name),
                            std::string(sd.series->loinc_code),
                            std::string(sd.metric->canonical_unit),
                            now_us,
                            buckets_written};
    if (sd.metric->kind == AggregationKind::kDiscrete) {
      for (const Bucket& run : Runs(sd.hours)) {
        MLW_RETURN_IF_ERROR(RecomputeHours(conn, ctx, hourly, run));
      }
      MLW_RETURN_IF_ERROR(RecomputeComposed(conn, ctx, sd.hours, Period::kHourly, daily));
    } else {
      for (const Bucket& run : Runs(sd.days)) {
        MLW_RETURN_IF_ERROR(RecomputeDays(conn, ctx, sd, hourly, daily, run));
      }
    }
    MLW_RETURN_IF_ERROR(RecomputeComposed(conn, ctx, sd.days, Period::kDaily, weekly));
    MLW_RETURN_IF_ERROR(RecomputeComposed(conn, ctx, sd.days, Period::kDaily, monthly));
  }
  return Status::Ok();
}

}  // namespace mlw::pipelines::vitals
