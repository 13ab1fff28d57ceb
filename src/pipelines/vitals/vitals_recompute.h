// Recomputing the vitals buckets a processing round touched (docs/idempotency.md, "Bucket
// boundaries"). Discrete series: hourly buckets are recomputed from the categorized rows of the
// touched hours, daily buckets from their hours' aggregates. Cumulative series, whose samples are
// split at bucket boundaries: hourly and daily buckets from the rows of the touched local days.
// Weekly and monthly buckets from the daily aggregates of their days. A round therefore costs in
// proportion to the hours or days it touched, not to the months around them, and recomputing
// (never adding to) keeps reprocessing idempotent.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time_bucket.h"
#include "pipelines/vitals/vital_sample.h"
#include "store/database.h"

namespace mlw::pipelines::vitals {

// The local days and, for discrete series, hours (in the user's zone) that a round's series
// values contribute to, per series.
class TouchedBuckets {
 public:
  explicit TouchedBuckets(const TimeZone& zone)
      : hourly_(zone, Period::kHourly), daily_(zone, Period::kDaily) {}

  // Records the days `value` contributes to: the day of its start, and for a cumulative value
  // with end > start every day it overlaps; for a discrete value also the hour of its start.
  void Add(const SeriesValue& value);

  struct SeriesBuckets {
    const MetricDef* metric = nullptr;
    const Series* series = nullptr;
    std::map<int64_t, int64_t> days;   // touched day start -> end (UTC microseconds)
    std::map<int64_t, int64_t> hours;  // discrete series only: touched hour start -> end
  };
  const std::map<std::string_view, SeriesBuckets>& by_series() const { return by_series_; }
  bool empty() const { return by_series_.empty(); }

 private:
  Bucketer hourly_;
  Bucketer daily_;
  Bucket last_hour_;  // caches: values of a round usually share their hour and day
  Bucket last_day_;
  std::map<std::string_view, SeriesBuckets> by_series_;
};

// Recomputes and upserts, for `user_id`, every hourly and daily bucket of the touched days and
// every weekly and monthly bucket containing one of them, stamped `now_us`; adds the number of
// buckets written to `*buckets_written`. REQUIRES: inside a transaction that already holds the
// round's categorized rows.
Status RecomputeTouchedBuckets(store::Connection& conn, int64_t user_id, const TimeZone& zone,
                               const TouchedBuckets& touched, int64_t now_us,
                               int64_t* buckets_written);

}  // namespace mlw::pipelines::vitals
