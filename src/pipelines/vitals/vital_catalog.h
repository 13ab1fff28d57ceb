// The vitals metric catalog: for each metric its LOINC code, canonical UCUM unit, accepted units
// with exact conversions, aggregation kind and plausible range. A metric yields one or more
// series (blood_pressure: systolic and diastolic; sleep: one per stage); aggregates are per series.
// Immutable and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlw::pipelines::vitals {

enum class AggregationKind {
  kDiscrete,    // point readings: count, avg, min, max, latest at the sample's start
  kCumulative,  // amounts over an interval: summed, split across buckets by time overlap
};

// canonical = value * scale + offset (offset only for temperatures).
struct UnitConversion {
  std::string_view unit;
  double scale = 1;
  double offset = 0;
};

struct Series {
  std::string_view name;        // aggregate key, e.g. "blood_pressure_systolic"
  std::string_view loinc_code;  // "" when LOINC has no code for it (sleep in bed)
  std::string_view loinc_name;
  // The rank of `name` among all series' names: sorting by it sorts by name (the order of the
  // categorized and aggregate tables' keys) without comparing strings.
  int name_order = 0;
};

struct MetricDef {
  std::string_view name;  // as sent: "heart_rate"
  std::string_view canonical_unit;
  AggregationKind kind;
  std::vector<UnitConversion> units;  // first entry is the canonical unit itself
  double min = 0;                     // plausible range, canonical unit, inclusive
  double max = 0;
  std::vector<Series> series;  // one for most metrics
};

const std::vector<MetricDef>& Metrics();
const MetricDef* FindMetric(std::string_view name);
// The metric that owns series `series_name` (also accepts a metric name, giving its first series).
const MetricDef* FindMetricBySeries(std::string_view series_name, const Series** series);
// The conversion for `unit` (exact spelling: "Cal" is a kilocalorie, "cal" is not accepted), or
// nullopt if not accepted.
std::optional<UnitConversion> FindUnit(const MetricDef& metric, std::string_view unit);
// "bpm, /min, beats/min" — for error messages.
std::string AcceptedUnits(const MetricDef& metric);

// Sleep stages accepted in `stage`; each is its own series `sleep_<stage>`. Stages other than
// in_bed and awake also count towards `sleep_asleep`.
const std::vector<std::string_view>& SleepStages();
bool IsAsleepStage(std::string_view stage);

// Longest accepted span end - start of one sample; bounds how far back a recompute must look.
constexpr int64_t kMaxSampleSpanMicros = 7LL * 24 * 3600 * 1000000;

}  // namespace mlw::pipelines::vitals
