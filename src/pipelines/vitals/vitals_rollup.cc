#include "pipelines/vitals/vitals_rollup.h"

#include <algorithm>
#include <unordered_map>

namespace mlw::pipelines::vitals {
namespace {

void Add(BucketAggregate& a, const Bucket& b, double v, const Point& p) {
  if (a.count == 0) {
    a.start_us = b.start_us;
    a.end_us = b.end_us;
    a.min = a.max = v;
  } else {
    a.min = std::min(a.min, v);
    a.max = std::max(a.max, v);
  }
  ++a.count;
  a.sum += v;
  if (a.count == 1 || p.start_us > a.latest_at_us ||
      (p.start_us == a.latest_at_us && p.raw_id > a.latest_raw_id)) {
    a.latest = v;
    a.latest_at_us = p.start_us;
    a.latest_raw_id = p.raw_id;
  }
}

std::vector<BucketAggregate> SortedByStart(std::unordered_map<int64_t, BucketAggregate>& acc) {
  std::vector<BucketAggregate> out;
  out.reserve(acc.size());
  for (auto& [start, a] : acc) out.push_back(a);
  std::sort(out.begin(), out.end(), [](const BucketAggregate& a, const BucketAggregate& b) {
    return a.start_us < b.start_us;
  });
  return out;
}

}  // namespace

std::vector<BucketAggregate> Rollup(const std::vector<Point>& points, AggregationKind kind,
                                    Bucketer& bucketer, int64_t from_us, int64_t to_us) {
  std::unordered_map<int64_t, BucketAggregate> acc;
  // Points usually arrive in time order, so consecutive ones share a bucket: keep it at hand.
  BucketAggregate* last = nullptr;
  int64_t last_start = 0;
  auto slot = [&](const Bucket& b) -> BucketAggregate* {
    if (last != nullptr && last_start == b.start_us) return last;
    last = &acc[b.start_us];
    last_start = b.start_us;
    return last;
  };
  for (const Point& p : points) {
    if (kind == AggregationKind::kDiscrete || p.end_us <= p.start_us) {
      Bucket b = bucketer.BucketOf(p.start_us);
      if (b.start_us >= from_us && b.start_us < to_us) Add(*slot(b), b, p.value, p);
      continue;
    }
    const double span = static_cast<double>(p.end_us - p.start_us);
    for (Bucket b = bucketer.BucketOf(p.start_us); b.start_us < p.end_us;
         b = bucketer.BucketOf(b.end_us)) {
      if (b.start_us >= to_us || b.end_us <= b.start_us) break;
      int64_t overlap = std::min(p.end_us, b.end_us) - std::max(p.start_us, b.start_us);
      if (overlap <= 0 || b.start_us < from_us) continue;
      Add(*slot(b), b, p.value * (static_cast<double>(overlap) / span), p);
    }
  }
  return SortedByStart(acc);
}

std::vector<BucketAggregate> Compose(const std::vector<BucketAggregate>& finer, Bucketer& coarse,
                                     int64_t from_us, int64_t to_us) {
  std::unordered_map<int64_t, BucketAggregate> acc;
  // latest_raw_id of a composed bucket holds the start of the finer bucket its latest came from.
  for (const BucketAggregate& f : finer) {
    if (f.count == 0) continue;
    Bucket b = coarse.BucketOf(f.start_us);
    if (b.start_us < from_us || b.start_us >= to_us) continue;
    BucketAggregate& a = acc[b.start_us];
    if (a.count == 0) {
      a.start_us = b.start_us;
      a.end_us = b.end_us;
      a.min = f.min;
      a.max = f.max;
    } else {
      a.min = std::min(a.min, f.min);
      a.max = std::max(a.max, f.max);
    }
    if (a.count == 0 || f.latest_at_us > a.latest_at_us ||
        (f.latest_at_us == a.latest_at_us && f.start_us > a.latest_raw_id)) {
      a.latest = f.latest;
      a.latest_at_us = f.latest_at_us;
      a.latest_raw_id = f.start_us;
    }
    a.count += f.count;
    a.sum += f.sum;
  }
  return SortedByStart(acc);
}

}  // namespace mlw::pipelines::vitals
