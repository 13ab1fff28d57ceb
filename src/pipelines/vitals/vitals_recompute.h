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
#include <vector>

#include "core/status.h"
#include "core/time_bucket.h"
#include "pipelines/vitals/vital_sample.h"
#include "pipelines/vitals/vitals_rollup.h"
#include "store/database.h"

namespace mlw::pipelines::vitals {

// A round's series values, per series, and the local days and, for discrete series, hours (in the
// user's zone) they contribute to.
class TouchedBuckets {
 public:
  explicit TouchedBuckets(const TimeZone& zone)
      : hourly_(zone, Period::kHourly), daily_(zone, Period::kDaily) {}

  // Records `value`, categorized from raw row `raw_id`, and the days it contributes to: the day of
  // its start, and for a cumulative value with end > start every day it overlaps; for a discrete
  // value also the hour of its start. REQUIRES: at most one value per (raw row, series).
  void Add(int64_t raw_id, const SeriesValue& value);

  struct SeriesBuckets {
    const MetricDef* metric = nullptr;  // the series' metric; the series is the map's key
    std::map<int64_t, int64_t> days;    // touched day start -> end (UTC microseconds)
    std::map<int64_t, int64_t> hours;   // discrete series only: touched hour start -> end
    std::vector<Point> points;          // the round's values of the series, in the order added
  };
  // Orders series by name, as the tables' keys do.
  struct ByName {
    bool operator()(const Series* a, const Series* b) const {
      return a->name_order < b->name_order;
    }
  };
  const std::map<const Series*, SeriesBuckets, ByName>& by_series() const { return by_series_; }
  bool empty() const { return by_series_.empty(); }

 private:
  Bucketer hourly_;
  Bucketer daily_;
  Bucket last_hour_;  // caches: values of a round usually share their hour and day
  Bucket last_day_;
  std::map<const Series*, SeriesBuckets, ByName> by_series_;
};

// Recomputes and upserts, for `user_id`, every hourly and daily bucket of the touched days and
// every weekly and monthly bucket containing one of them, stamped `now_us`; adds the number of
// buckets written to `*buckets_written`. Each bucket is computed from all of its categorized rows:
// those stored in vitals_raw_categorized merged with the round's own values held in `touched`,
// where a round value replaces the stored row of the same key (series, start, raw row), i.e. the
// same raw row categorized by an earlier, interrupted run.
// REQUIRES: inside a write transaction in which vitals_raw_categorized holds every categorized row
// of the user's touched series except, possibly, the round's own: they may be written before this
// call (the three-transaction round) or after it (the single-transaction round, whose reads then
// return only rows stored earlier).
Status RecomputeTouchedBuckets(store::Connection& conn, int64_t user_id, const TimeZone& zone,
                               const TouchedBuckets& touched, int64_t now_us,
                               int64_t* buckets_written);

}  // namespace mlw::pipelines::vitals
