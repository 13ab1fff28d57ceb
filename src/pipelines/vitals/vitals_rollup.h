// Pure aggregation of categorized vitals values into period buckets (docs/idempotency.md, "Bucket
// boundaries"):
//  - discrete series: a sample counts in the bucket containing its start;
//  - cumulative series: a sample with end > start is split across the buckets it overlaps in
//    proportion to the overlap (a 90-minute step count 10:30-12:00 puts 1/3 in the 10:00 hour and
//    2/3 in the 11:00 hour; a night of sleep is split at local midnight); with end == start it
//    falls wholly into the bucket of its start.
// Per bucket: count (samples contributing), sum, avg = sum / count, min, max of the contributions,
// and latest = the contribution of the sample with the latest start (ties: the later raw row).
// Weekly and monthly buckets are composed of their days (Compose): a cumulative sample that
// crosses local midnight contributes one piece per day, as in the daily buckets.
#pragma once

#include <cstdint>
#include <vector>

#include "core/time_bucket.h"
#include "pipelines/vitals/vital_catalog.h"

namespace mlw::pipelines::vitals {

struct Point {
  int64_t raw_id = 0;
  double value = 0;
  int64_t start_us = 0;
  int64_t end_us = 0;
};

struct BucketAggregate {
  int64_t start_us = 0;
  int64_t end_us = 0;
  int64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  double latest = 0;
  int64_t latest_at_us = 0;
  int64_t latest_raw_id = 0;
  double avg() const { return count ? sum / static_cast<double>(count) : 0; }
};

// Aggregates `points` (any order) and returns the buckets whose start lies in [from_us, to_us),
// ordered by start. REQUIRES: every point that touches those buckets is in `points`.
std::vector<BucketAggregate> Rollup(const std::vector<Point>& points, AggregationKind kind,
                                    Bucketer& bucketer, int64_t from_us, int64_t to_us);

// Folds finer buckets (days) into the coarser buckets of `coarse` (weeks, months) that contain
// them and returns those whose start lies in [from_us, to_us), ordered by start: counts and sums
// add up, min and max fold, and latest is that of the finer bucket with the latest latest_at_us
// (ties, which only one cumulative sample split across days can produce: the later day).
// REQUIRES: each finer bucket lies inside one coarse bucket; all of a coarse bucket's finer buckets
// are in `finer`.
std::vector<BucketAggregate> Compose(const std::vector<BucketAggregate>& finer, Bucketer& coarse,
                                     int64_t from_us, int64_t to_us);

}  // namespace mlw::pipelines::vitals
