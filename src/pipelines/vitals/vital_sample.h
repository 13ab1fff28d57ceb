// One vitals sample as submitted (DESIGN.md: POST /v1/users/{id}/vitals) and its categorization
// into canonical series values. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/row_error.h"
#include "pipelines/vitals/vital_catalog.h"

namespace mlw::pipelines::vitals {

struct VitalSample {
  std::string metric;
  std::optional<double> value;   // systolic for blood_pressure
  std::optional<double> value2;  // diastolic for blood_pressure
  std::string unit;
  std::string stage;  // sleep only
  int64_t start_us = 0;
  int64_t end_us = 0;  // == start_us when the client sent no end
  int utc_offset_s = 0;
  std::string source;
};

// The fields of a sample that Categorize checks, viewing a VitalSample or a stored raw row.
struct SampleView {
  std::string_view metric;
  std::optional<double> value;
  std::optional<double> value2;
  std::string_view unit;
  std::string_view stage;
  int64_t start_us = 0;
  int64_t end_us = 0;
};
SampleView ViewOf(const VitalSample& sample);

// A sample's contribution to one series, in the series' canonical unit.
struct SeriesValue {
  const MetricDef* metric = nullptr;
  const Series* series = nullptr;
  double value = 0;
  int64_t start_us = 0;
  int64_t end_us = 0;
};

// The series values of one sample: at most two (blood pressure's systolic and diastolic; a sleep
// stage and, for the stages of sleep, asleep). Held in place, since every processed sample has one.
class SeriesValues {
 public:
  static constexpr size_t kMax = 2;
  void push_back(const SeriesValue& v);  // REQUIRES: size() < kMax
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const SeriesValue& operator[](size_t i) const { return values_[i]; }
  const SeriesValue* begin() const { return values_.data(); }
  const SeriesValue* end() const { return values_.data() + size_; }

 private:
  std::array<SeriesValue, kMax> values_{};
  size_t size_ = 0;
};

// Parses the JSON array of samples. Rows that fail to parse get errors (index, field, reason) and
// are left out of the result; unknown fields are errors too.
std::vector<std::pair<size_t, VitalSample>> ParseVitalSamples(const nlohmann::json& samples,
                                                              std::vector<RowError>* errors);

// Checks a sample against the catalog (metric, unit, plausible value, sleep stage, span) and
// converts it to its series values. On failure appends errors tagged with `index` and returns {}.
SeriesValues Categorize(const SampleView& sample, size_t index, std::vector<RowError>* errors);
inline SeriesValues Categorize(const VitalSample& sample, size_t index,
                               std::vector<RowError>* errors) {
  return Categorize(ViewOf(sample), index, errors);
}

// Time checks that depend on the present: not more than `max_future_us` after `now_us`, not
// before 1900. Appends errors tagged with `index`.
void CheckSampleTimes(const VitalSample& sample, size_t index, int64_t now_us,
                      int64_t max_future_us, std::vector<RowError>* errors);

}  // namespace mlw::pipelines::vitals
