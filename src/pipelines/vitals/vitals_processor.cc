#include "pipelines/vitals/vitals_processor.h"

#include <algorithm>
#include <map>

#include "core/time_bucket.h"
#include "pipelines/bulk_insert.h"
#include "pipelines/lease.h"
#include "pipelines/users.h"
#include "pipelines/vitals/vital_sample.h"
#include "pipelines/vitals/vitals_rollup.h"

namespace mlw::pipelines::vitals {
namespace {

constexpr Period kPeriods[] = {Period::kHourly, Period::kDaily, Period::kWeekly, Period::kMonthly};

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

const BulkInsert& CategorizedInsert() {
  static const BulkInsert insert(
      "vitals_raw_categorized",
      {"raw_id", "user_id", "series", "loinc_code", "value", "unit", "start_us", "end_us",
       "categorized_at_us"},
      "ON CONFLICT (user_id, series, start_us, raw_id) DO UPDATE SET "
      "loinc_code = excluded.loinc_code, value = excluded.value, unit = excluded.unit, "
      "end_us = excluded.end_us, categorized_at_us = excluded.categorized_at_us");
  return insert;
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

// Time span touched by this round's values of one series.
struct Span {
  const MetricDef* metric = nullptr;
  const Series* series = nullptr;
  int64_t min_start = INT64_MAX;
  int64_t max_end = INT64_MIN;
};

struct Categorized {
  int64_t raw_id;
  SeriesValue value;
};

std::string JoinErrors(const std::vector<RowError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += (out.empty() ? "" : "; ") + (e.field.empty() ? "" : e.field + ": ") + e.reason;
  }
  return out;
}

// Claims one round of rows; empty when nothing is left.
Result<store::Rows> Claim(store::Database& db, const Clock& clock, int64_t user_id,
                          const ProcessOptions& options, const std::string& owner) {
  store::Rows rows;
  MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
    const int64_t now = clock.NowMicros();
    MLW_ASSIGN_OR_RETURN(
        rows, ClaimRows(conn, RawTable::kVitals,
                        "id, metric, value, value2, unit, stage, start_us, end_us", user_id, owner,
                        now, now + options.lease_micros, options.rows_per_claim));
    return Status::Ok();
  }));
  return rows;
}

// Categorizes claimed rows, writes the good ones' series values and marks the bad ones failed.
Result<std::map<std::string_view, Span>> CategorizeRound(store::Database& db, const Clock& clock,
                                                         const store::Rows& rows,
                                                         const std::string& owner, int64_t user_id,
                                                         ProcessStats* stats) {
  std::vector<Categorized> good;
  good.reserve(rows.size() * 2);
  std::vector<std::pair<int64_t, std::string>> failed;
  std::vector<RowError> errors;
  for (const auto& r : rows) {
    VitalSample s;
    s.metric = r.Text(1);
    if (!r.IsNull(2)) s.value = r.Real(2);
    if (!r.IsNull(3)) s.value2 = r.Real(3);
    s.unit = r.Text(4);
    if (!r.IsNull(5)) s.stage = r.Text(5);
    s.start_us = r.Int(6);
    s.end_us = r.Int(7);
    errors.clear();
    auto values = Categorize(s, 0, &errors);
    if (!errors.empty()) {
      failed.emplace_back(r.Int(0), JoinErrors(errors));
      continue;
    }
    for (const auto& v : values) good.push_back({r.Int(0), v});
  }
  // Insert in the table's key order (user, series, start): appends instead of random page splits.
  std::sort(good.begin(), good.end(), [](const Categorized& a, const Categorized& b) {
    if (a.value.series != b.value.series) return a.value.series->name < b.value.series->name;
    return a.value.start_us < b.value.start_us;
  });
  std::map<std::string_view, Span> spans;
  for (const auto& c : good) {
    Span& sp = spans[c.value.series->name];
    sp.metric = c.value.metric;
    sp.series = c.value.series;
    sp.min_start = std::min(sp.min_start, c.value.start_us);
    sp.max_end = std::max(sp.max_end, c.value.end_us);
  }
  MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
    const int64_t now = clock.NowMicros();
    for (const auto& [id, error] : failed) {
      MLW_RETURN_IF_ERROR(MarkFailed(conn, RawTable::kVitals, id, owner, error, now));
    }
    return CategorizedInsert().Run(conn, good.size(),
                                   [&](size_t i, std::vector<store::Value>& out) {
                                     const Categorized& c = good[i];
                                     out.emplace_back(c.raw_id);
                                     out.emplace_back(user_id);
                                     out.emplace_back(std::string(c.value.series->name));
                                     out.emplace_back(std::string(c.value.series->loinc_code));
                                     out.emplace_back(c.value.value);
                                     out.emplace_back(std::string(c.value.metric->canonical_unit));
                                     out.emplace_back(c.value.start_us);
                                     out.emplace_back(c.value.end_us);
                                     out.emplace_back(now);
                                   });
  }));
  stats->failed += static_cast<int64_t>(failed.size());
  return spans;
}

// Recomputes, from the categorized rows, every bucket of every period that the round touched, and
// marks the round's rows processed.
Status AggregateRound(store::Database& db, const Clock& clock, const TimeZone& zone,
                      const std::map<std::string_view, Span>& spans, const std::string& owner,
                      int64_t user_id, ProcessStats* stats) {
  return db.InTransaction([&](store::Connection& conn) -> Status {
    const int64_t now = clock.NowMicros();
    std::vector<Point> points;
    for (const auto& [name, sp] : spans) {
      // Per period, buckets from the one holding the earliest start to the one holding the latest
      // end; the union of those ranges is what must be loaded.
      int64_t from[4], to[4];
      int64_t lo = INT64_MAX, hi = INT64_MIN;
      for (Period p : kPeriods) {
        Bucketer b(zone, p);
        int i = static_cast<int>(p);
        from[i] = b.BucketOf(sp.min_start).start_us;
        to[i] = b.BucketOf(sp.max_end).end_us;
        lo = std::min(lo, from[i]);
        hi = std::max(hi, to[i]);
      }
      MLW_ASSIGN_OR_RETURN(
          store::Rows rows,
          conn.Query("SELECT raw_id, value, start_us, end_us FROM vitals_raw_categorized "
                     "WHERE user_id = $1 AND series = $2 AND start_us >= $3 AND start_us < $4",
                     {user_id, std::string(name), lo - kMaxSampleSpanMicros, hi}));
      points.clear();
      points.reserve(rows.size());
      for (const auto& r : rows) points.push_back({r.Int(0), r.Real(1), r.Int(2), r.Int(3)});
      std::sort(points.begin(), points.end(),
                [](const Point& a, const Point& b) { return a.start_us < b.start_us; });
      const std::string series(name), loinc(sp.series->loinc_code), unit(sp.metric->canonical_unit);
      for (Period p : kPeriods) {
        Bucketer b(zone, p);
        int i = static_cast<int>(p);
        auto buckets = Rollup(points, sp.metric->kind, b, from[i], to[i]);
        MLW_RETURN_IF_ERROR(AggregateUpsert(p).Run(conn, buckets.size(),
                                                   [&](size_t k, std::vector<store::Value>& out) {
                                                     const BucketAggregate& a = buckets[k];
                                                     out.emplace_back(user_id);
                                                     out.emplace_back(series);
                                                     out.emplace_back(a.start_us);
                                                     out.emplace_back(a.end_us);
                                                     out.emplace_back(loinc);
                                                     out.emplace_back(unit);
                                                     out.emplace_back(a.count);
                                                     out.emplace_back(a.sum);
                                                     out.emplace_back(a.avg());
                                                     out.emplace_back(a.min);
                                                     out.emplace_back(a.max);
                                                     out.emplace_back(a.latest);
                                                     out.emplace_back(a.latest_at_us);
                                                     out.emplace_back(now);
                                                   }));
        stats->buckets_written += static_cast<int64_t>(buckets.size());
      }
    }
    MLW_ASSIGN_OR_RETURN(int64_t done,
                         MarkClaimedProcessed(conn, RawTable::kVitals, user_id, owner, now));
    stats->processed += done;
    return Status::Ok();
  });
}

}  // namespace

Result<ProcessStats> ProcessPendingVitals(store::Database& db, const Clock& clock, int64_t user_id,
                                          const ProcessOptions& options) {
  MLW_ASSIGN_OR_RETURN(TimeZone zone, UserZone(db, user_id));
  const std::string owner = options.owner.empty() ? NewLeaseOwner() : options.owner;
  ProcessStats stats;
  for (;;) {
    MLW_ASSIGN_OR_RETURN(store::Rows rows, Claim(db, clock, user_id, options, owner));
    if (rows.empty()) break;
    stats.claimed += static_cast<int64_t>(rows.size());
    MLW_ASSIGN_OR_RETURN(auto spans, CategorizeRound(db, clock, rows, owner, user_id, &stats));
    MLW_RETURN_IF_ERROR(AggregateRound(db, clock, zone, spans, owner, user_id, &stats));
    if (static_cast<int64_t>(rows.size()) < options.rows_per_claim) break;
  }
  return stats;
}

}  // namespace mlw::pipelines::vitals
