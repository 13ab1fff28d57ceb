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
                      "updated_at_us = excluded.updated_at_us",
                      {"user_id", "series", "loinc_code", "unit", "updated_at_us"});
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
                                {ctx.user_id, ctx.name, ctx.loinc, ctx.unit, ctx.now_us},
                                [&](size_t k, std::vector<store::Value>& out) {
                                  const BucketAggregate& a = buckets[k];
                                  out.emplace_back(a.start_us);
                                  out.emplace_back(a.end_us);
                                  out.emplace_back(a.count);
                                  out.emplace_back(a.sum);
                                  out.emplace_back(a.avg());
                                  out.emplace_back(a.min);
                                  out.emplace_back(a.max);
                                  out.emplace_back(a.latest);
                                  out.emplace_back(a.latest_at_us);
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

// The categorized key of a point within its series: (start, raw row). Stored rows come in this
// order, so a recompute sums each bucket in the same order whether its rows were read or held.
bool KeyLess(const Point& a, const Point& b) {
  return a.start_us != b.start_us ? a.start_us < b.start_us : a.raw_id < b.raw_id;
}

bool StartLess(const BucketAggregate& a, const BucketAggregate& b) {
  return a.start_us < b.start_us;
}

// Merges `stored` and `fresh`, both sorted by `less`, into one sequence sorted by `less`; where
// both hold an element of the same key, only the fresh one is kept (it overwrites the stored one).
template <typename T, typename Less>
std::vector<T> MergeReplacing(const std::vector<T>& stored,
                              typename std::vector<T>::const_iterator fresh_begin,
                              typename std::vector<T>::const_iterator fresh_end, Less less) {
  if (stored.empty()) return std::vector<T>(fresh_begin, fresh_end);
  std::vector<T> out;
  out.reserve(stored.size() + static_cast<size_t>(fresh_end - fresh_begin));
  auto s = stored.begin();
  for (auto f = fresh_begin; f != fresh_end; ++f) {
    for (; s != stored.end() && less(*s, *f); ++s) out.push_back(*s);
    if (s != stored.end() && !less(*f, *s)) ++s;  // same key: the fresh one replaces it
    out.push_back(*f);
  }
  out.insert(out.end(), s, stored.end());
  return out;
}

// The series' points starting in [from_us, to_us): its stored categorized rows merged with the
// round's `fresh` points (sorted by KeyLess), a fresh point replacing a stored row of its key.
Result<std::vector<Point>> LoadPoints(store::Connection& conn, const SeriesContext& ctx,
                                      const std::vector<Point>& fresh, int64_t from_us,
                                      int64_t to_us) {
  MLW_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT raw_id, value, start_us, end_us FROM vitals_raw_categorized "
                 "WHERE user_id = $1 AND series = $2 AND start_us >= $3 AND start_us < $4",
                 {ctx.user_id, ctx.name, from_us, to_us}));
  std::vector<Point> stored;
  stored.reserve(rows.size());
  for (const auto& r : rows) stored.push_back({r.Int(0), r.Real(1), r.Int(2), r.Int(3)});
  if (!std::is_sorted(stored.begin(), stored.end(), KeyLess)) {
    std::sort(stored.begin(), stored.end(), KeyLess);
  }
  auto starts_before = [](const Point& p, int64_t t) { return p.start_us < t; };
  auto lo = std::lower_bound(fresh.begin(), fresh.end(), from_us, starts_before);
  auto hi = std::lower_bound(lo, fresh.end(), to_us, starts_before);
  return MergeReplacing(stored, lo, hi, KeyLess);
}

// The stored aggregates of period `p` whose start lies in one of `runs`, sorted by start.
Result<std::vector<BucketAggregate>> ReadAggregates(store::Connection& conn,
                                                    const SeriesContext& ctx, Period p,
                                                    const std::vector<Bucket>& runs) {
  const std::string sql = std::string(
                              "SELECT period_start_us, period_end_us, sample_count, total, "
                              "minimum, maximum, latest_value, latest_at_us FROM ") +
                          AggregateTable(p) +
                          " WHERE user_id = $1 AND series = $2 AND period_start_us >= $3 "
                          "AND period_start_us < $4";
  std::vector<BucketAggregate> out;
  for (const Bucket& run : runs) {
    MLW_ASSIGN_OR_RETURN(store::Rows rows,
                         conn.Query(sql, {ctx.user_id, ctx.name, run.start_us, run.end_us}));
    for (const auto& r : rows) {
      BucketAggregate a;
      a.start_us = r.Int(0);
      a.end_us = r.Int(1);
      a.count = r.Int(2);
      a.sum = r.Real(3);
      a.min = r.Real(4);
      a.max = r.Real(5);
      a.latest = r.Real(6);
      a.latest_at_us = r.Int(7);
      out.push_back(a);
    }
  }
  if (!std::is_sorted(out.begin(), out.end(), StartLess)) {
    std::sort(out.begin(), out.end(), StartLess);
  }
  return out;
}

// Maximal runs of the buckets of `coarse` that hold the `finer` buckets (start -> end).
std::vector<Bucket> CoarseRuns(const std::map<int64_t, int64_t>& finer, Bucketer& coarse) {
  std::map<int64_t, int64_t> touched;
  for (const auto& [finer_start, finer_end] : finer) {
    Bucket b = coarse.BucketOf(finer_start);
    touched.emplace(b.start_us, b.end_us);
  }
  return Runs(touched);
}

// The buckets of `coarse` in `runs`, composed of all their finer buckets: `stored` (read before
// `fresh` were written) overlaid with `fresh`, both sorted by start. REQUIRES: every finer bucket
// in `stored` and `fresh` lies in one of `runs`, so that one Compose over their whole span yields
// exactly the buckets of the runs.
std::vector<BucketAggregate> ComposeRuns(const std::vector<BucketAggregate>& stored,
                                         const std::vector<BucketAggregate>& fresh,
                                         Bucketer& coarse, const std::vector<Bucket>& runs) {
  if (runs.empty()) return {};
  return Compose(MergeReplacing(stored, fresh.begin(), fresh.end(), StartLess), coarse,
                 runs.front().start_us, runs.back().end_us);
}

void Append(std::vector<BucketAggregate>& to, const std::vector<BucketAggregate>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

struct Bucketers {
  Bucketer hourly, daily, weekly, monthly;
};

// Discrete series: upserts the touched hours, recomputed from categorized rows (a discrete sample
// counts only in the hour of its start), and returns their days, composed of their hours.
Result<std::vector<BucketAggregate>> RecomputeDiscreteHours(store::Connection& conn,
                                                            const SeriesContext& ctx,
                                                            const TouchedBuckets::SeriesBuckets& sd,
                                                            const std::vector<Point>& fresh,
                                                            Bucketers& b) {
  std::vector<BucketAggregate> hours;
  for (const Bucket& run : Runs(sd.hours)) {
    MLW_ASSIGN_OR_RETURN(std::vector<Point> points,
                         LoadPoints(conn, ctx, fresh, run.start_us, run.end_us));
    Append(hours, Rollup(points, AggregationKind::kDiscrete, b.hourly, run.start_us, run.end_us));
  }
  // The days' other hours are read before the fresh ones overwrite theirs: no read returns what
  // this call computed.
  const std::vector<Bucket> day_runs = CoarseRuns(sd.hours, b.daily);
  MLW_ASSIGN_OR_RETURN(std::vector<BucketAggregate> stored,
                       ReadAggregates(conn, ctx, Period::kHourly, day_runs));
  MLW_RETURN_IF_ERROR(Upsert(conn, ctx, Period::kHourly, hours));
  return ComposeRuns(stored, hours, b.daily, day_runs);
}

// Cumulative series: upserts the hours of the touched days, recomputed from categorized rows, and
// returns the touched days, recomputed from the same rows.
Result<std::vector<BucketAggregate>> RecomputeCumulativeHours(
    store::Connection& conn, const SeriesContext& ctx, const TouchedBuckets::SeriesBuckets& sd,
    const std::vector<Point>& fresh, Bucketers& b) {
  std::vector<BucketAggregate> hours, days;
  for (const Bucket& run : Runs(sd.days)) {
    // An hour may straddle midnight where a zone changes offset at midnight: recompute whole
    // hours. Runs are at least a day apart, so no hour belongs to two of them.
    const int64_t hour_from = b.hourly.BucketOf(run.start_us).start_us;
    const int64_t hour_to = b.hourly.BucketOf(run.end_us - 1).end_us;
    // A sample that started up to kMaxSampleSpanMicros earlier may reach into the run.
    const int64_t load_from = std::min(hour_from, run.start_us) - kMaxSampleSpanMicros;
    const int64_t load_to = std::max(hour_to, run.end_us);
    MLW_ASSIGN_OR_RETURN(std::vector<Point> points,
                         LoadPoints(conn, ctx, fresh, load_from, load_to));
    Append(hours, Rollup(points, sd.metric->kind, b.hourly, hour_from, hour_to));
    Append(days, Rollup(points, sd.metric->kind, b.daily, run.start_us, run.end_us));
  }
  MLW_RETURN_IF_ERROR(Upsert(conn, ctx, Period::kHourly, hours));
  return days;
}

// Upserts the touched `days` of one series and the weeks and months holding them, composed of
// their days.
Status RecomputeDaysAndUp(store::Connection& conn, const SeriesContext& ctx,
                          const TouchedBuckets::SeriesBuckets& sd,
                          const std::vector<BucketAggregate>& days, Bucketers& b) {
  // The other days of those weeks and months are read before `days` overwrite theirs.
  const std::vector<Bucket> week_runs = CoarseRuns(sd.days, b.weekly);
  const std::vector<Bucket> month_runs = CoarseRuns(sd.days, b.monthly);
  MLW_ASSIGN_OR_RETURN(std::vector<BucketAggregate> week_days,
                       ReadAggregates(conn, ctx, Period::kDaily, week_runs));
  MLW_ASSIGN_OR_RETURN(std::vector<BucketAggregate> month_days,
                       ReadAggregates(conn, ctx, Period::kDaily, month_runs));
  MLW_RETURN_IF_ERROR(Upsert(conn, ctx, Period::kDaily, days));
  MLW_RETURN_IF_ERROR(
      Upsert(conn, ctx, Period::kWeekly, ComposeRuns(week_days, days, b.weekly, week_runs)));
  return Upsert(conn, ctx, Period::kMonthly, ComposeRuns(month_days, days, b.monthly, month_runs));
}

}  // namespace

void TouchedBuckets::Add(int64_t raw_id, const SeriesValue& value) {
  SeriesBuckets& sd = by_series_[value.series];
  sd.metric = value.metric;
  sd.points.push_back({raw_id, value.value, value.start_us, value.end_us});
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
  Bucketers b{Bucketer(zone, Period::kHourly), Bucketer(zone, Period::kDaily),
              Bucketer(zone, Period::kWeekly), Bucketer(zone, Period::kMonthly)};
  for (const auto& [series, sd] : touched.by_series()) {
    const SeriesContext ctx{user_id,
                            std::string(series->name),
                            std::string(series->loinc_code),
                            std::string(sd.metric->canonical_unit),
                            now_us,
                            buckets_written};
    std::vector<Point> fresh = sd.points;
    if (!std::is_sorted(fresh.begin(), fresh.end(), KeyLess)) {
      std::sort(fresh.begin(), fresh.end(), KeyLess);
    }
    std::vector<BucketAggregate> days;
    if (sd.metric->kind == AggregationKind::kDiscrete) {
      MLW_ASSIGN_OR_RETURN(days, RecomputeDiscreteHours(conn, ctx, sd, fresh, b));
    } else {
      MLW_ASSIGN_OR_RETURN(days, RecomputeCumulativeHours(conn, ctx, sd, fresh, b));
    }
    MLW_RETURN_IF_ERROR(RecomputeDaysAndUp(conn, ctx, sd, days, b));
  }
  return Status::Ok();
}

}  // namespace mlw::pipelines::vitals
