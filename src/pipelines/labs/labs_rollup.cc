#include "pipelines/labs/labs_rollup.h"

#include <algorithm>
#include <map>

namespace mlw::pipelines::labs {

std::vector<LabBucket> RollupLabs(const std::vector<LabPoint>& points, Bucketer& bucketer,
                                  int64_t from_us, int64_t to_us) {
  std::map<int64_t, std::vector<const LabPoint*>> groups;
  std::map<int64_t, Bucket> bounds;
  for (const auto& p : points) {
    Bucket b = bucketer.BucketOf(p.report_date_us);
    if (b.start_us < from_us || b.start_us >= to_us) continue;
    groups[b.start_us].push_back(&p);
    bounds[b.start_us] = b;
  }
  auto later = [](const LabPoint* a, const LabPoint* b) {
    return a->report_date_us != b->report_date_us ? a->report_date_us > b->report_date_us
                                                  : a->raw_id > b->raw_id;
  };
  std::vector<LabBucket> out;
  for (auto& [start, list] : groups) {
    std::sort(list.begin(), list.end(), later);  // newest first
    LabBucket lb;
    lb.start_us = start;
    lb.end_us = bounds[start].end_us;
    lb.result_count = static_cast<int64_t>(list.size());
    lb.latest_text = list.front()->value_text;
    lb.latest_at_us = list.front()->report_date_us;
    lb.test_name = list.front()->test_name;
    lb.latest_value = list.front()->value;
    const LabPoint* unit_source = nullptr;
    for (const LabPoint* p : list) {
      if (p->out_of_range) ++lb.out_of_range_count;
      if (p->value && unit_source == nullptr) unit_source = p;
    }
    if (unit_source != nullptr) {
      lb.unit = unit_source->unit;
      double sum = 0;
      for (const LabPoint* p : list) {
        if (!p->value || p->unit != lb.unit) continue;
        ++lb.numeric_count;
        sum += *p->value;
        lb.min = lb.min ? std::min(*lb.min, *p->value) : *p->value;
        lb.max = lb.max ? std::max(*lb.max, *p->value) : *p->value;
      }
      lb.avg = sum / static_cast<double>(lb.numeric_count);
    } else {
      lb.unit = list.front()->unit;
    }
    out.push_back(std::move(lb));
  }
  return out;
}

}  // namespace mlw::pipelines::labs
