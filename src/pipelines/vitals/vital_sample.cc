#include "pipelines/vitals/vital_sample.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

#include "core/timestamp.h"

namespace mlw::pipelines::vitals {
namespace {

constexpr int64_t kMinuteUs = 60LL * 1000000;
// 1900-01-01T00:00:00Z.
constexpr int64_t kEarliestUs = -2208988800LL * 1000000;

std::string Fmt(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string KnownMetrics() {
  std::string out;
  for (const auto& m : Metrics()) out += (out.empty() ? "" : ", ") + std::string(m.name);
  return out;
}

// Reads a number field; records an error for a present non-number.
std::optional<double> Number(const nlohmann::json& row, const char* key, size_t index,
                             std::vector<RowError>* errors) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) {
    errors->push_back({index, key, "must be a number"});
    return std::nullopt;
  }
  return it->get<double>();
}

std::optional<std::string> Text(const nlohmann::json& row, const char* key, size_t index,
                                std::vector<RowError>* errors) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    errors->push_back({index, key, "must be a string"});
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace

std::vector<std::pair<size_t, VitalSample>> ParseVitalSamples(const nlohmann::json& samples,
                                                              std::vector<RowError>* errors) {
  static const std::set<std::string> kFields = {"metric", "value",    "unit",      "start", "end",
                                                "source", "systolic", "diastolic", "stage"};
  std::vector<std::pair<size_t, VitalSample>> out;
  if (!samples.is_array()) {
    errors->push_back({0, "samples", "must be an array of samples"});
    return out;
  }
  out.reserve(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto& row = samples[i];
    if (!row.is_object()) {
      errors->push_back({i, "", "sample must be an object"});
      continue;
    }
    const size_t before = errors->size();
    for (const auto& [key, _] : row.items()) {
      if (!kFields.count(key)) errors->push_back({i, key, "unknown field"});
    }
    VitalSample s;
    auto metric = Text(row, "metric", i, errors);
    if (!metric) {
      if (!row.contains("metric")) errors->push_back({i, "metric", "is required"});
    } else {
      s.metric = *metric;
    }
    if (s.metric == "blood_pressure") {
      s.value = Number(row, "systolic", i, errors);
      s.value2 = Number(row, "diastolic", i, errors);
      if (row.contains("value"))
        errors->push_back({i, "value", "blood_pressure takes systolic and diastolic, not value"});
    } else {
      s.value = Number(row, "value", i, errors);
      for (const char* k : {"systolic", "diastolic"}) {
        if (row.contains(k)) errors->push_back({i, k, "only blood_pressure has this field"});
      }
    }
    s.unit = Text(row, "unit", i, errors).value_or("");
    s.stage = Text(row, "stage", i, errors).value_or("");
    s.source = Text(row, "source", i, errors).value_or("");
    auto start = Text(row, "start", i, errors);
    if (!start) {
      if (!row.contains("start")) errors->push_back({i, "start", "is required"});
    } else if (auto t = ParseRfc3339(*start); !t.ok()) {
      errors->push_back({i, "start", t.status().message()});
    } else {
      s.start_us = t->micros;
      s.end_us = t->micros;
      s.utc_offset_s = t->offset_seconds;
    }
    if (auto end = Text(row, "end", i, errors)) {
      if (auto t = ParseRfc3339(*end); !t.ok()) {
        errors->push_back({i, "end", t.status().message()});
      } else {
        s.end_us = t->micros;
      }
    }
    if (errors->size() == before) out.emplace_back(i, std::move(s));
  }
  return out;
}

SampleView ViewOf(const VitalSample& s) {
  return {s.metric, s.value, s.value2, s.unit, s.stage, s.start_us, s.end_us};
}

void SeriesValues::push_back(const SeriesValue& v) {
  // A metric with more series per sample is a change of this program, not of its input.
  if (size_ == kMax) std::abort();
  values_[size_++] = v;
}

SeriesValues Categorize(const SampleView& s, size_t index, std::vector<RowError>* errors) {
  const size_t before = errors->size();
  const MetricDef* m = FindMetric(s.metric);
  if (m == nullptr) {
    errors->push_back(
        {index, "metric",
         "unknown metric '" + std::string(s.metric.substr(0, 64)) + "'; known: " + KnownMetrics()});
    return {};
  }
  if (s.end_us < s.start_us) errors->push_back({index, "end", "is before start"});
  if (s.end_us - s.start_us > kMaxSampleSpanMicros) {
    errors->push_back({index, "end", "a sample may span at most 7 days"});
  }
  SeriesValues out;
  auto unit = FindUnit(*m, s.unit);
  if (s.metric == "sleep") {
    bool known = false;
    for (auto st : SleepStages()) known = known || st == s.stage;
    if (!known) {
      errors->push_back(
          {index, "stage", "sleep needs stage in_bed, asleep, awake, light, deep or rem"});
    }
    if (s.end_us <= s.start_us) errors->push_back({index, "end", "sleep needs an end after start"});
    double span_min = static_cast<double>(s.end_us - s.start_us) / kMinuteUs;
    double minutes = span_min;
    if (s.value) {
      if (!unit) {
        errors->push_back({index, "unit",
                           "unit '" + std::string(s.unit) +
                               "' is not a duration; accepted: " + AcceptedUnits(*m)});
      } else if (!std::isfinite(*s.value) || *s.value < 0) {
        errors->push_back({index, "value", "must be a finite, non-negative duration"});
      } else {
        minutes = *s.value * unit->scale;
        if (minutes > span_min * (1 + 1e-9) + 1e-9) {
          errors->push_back({index, "value", "sleep duration exceeds end - start"});
        }
      }
    }
    if (errors->size() != before) return {};
    for (const auto& series : m->series) {
      const std::string_view name = series.name;
      bool match = (name.starts_with("sleep_") && name.substr(6) == s.stage) ||
                   (name == "sleep_asleep" && IsAsleepStage(s.stage));
      if (match) out.push_back({m, &series, minutes, s.start_us, s.end_us});
    }
    return out;
  }
  if (!unit) {
    errors->push_back(
        {index, "unit",
         (s.unit.empty() ? std::string("is required")
                         : "unit '" + std::string(s.unit.substr(0, 32)) + "' is not accepted") +
             " for " + std::string(m->name) + "; accepted: " + AcceptedUnits(*m)});
  }
  // The value fields this metric takes, in the order of its series.
  const bool paired = m->series.size() == 2;
  const std::pair<const char*, std::optional<double>> fields[] = {
      {paired ? "systolic" : "value", s.value}, {"diastolic", s.value2}};
  std::array<double, 2> canonical{};
  size_t converted = 0;
  for (size_t f = 0; f < (paired ? 2u : 1u); ++f) {
    const auto& [field, v] = fields[f];
    if (!v) {
      errors->push_back({index, field, "is required"});
      continue;
    }
    if (!std::isfinite(*v)) {
      errors->push_back({index, field, "must be a finite number"});
      continue;
    }
    if (!unit) continue;
    double c = *v * unit->scale + unit->offset;
    if (c < m->min || c > m->max) {
      errors->push_back({index, field,
                         Fmt(*v) + " " + std::string(s.unit) + " is outside the plausible range " +
                             Fmt(m->min) + "-" + Fmt(m->max) + " " +
                             std::string(m->canonical_unit)});
      continue;
    }
    canonical[converted++] = c;
  }
  if (errors->size() != before) return {};
  if (converted == 2 && canonical[0] <= canonical[1]) {
    errors->push_back({index, "systolic", "systolic must be greater than diastolic"});
    return {};
  }
  for (size_t i = 0; i < converted; ++i) {
    out.push_back({m, &m->series[i], canonical[i], s.start_us, s.end_us});
  }
  return out;
}

void CheckSampleTimes(const VitalSample& s, size_t index, int64_t now_us, int64_t max_future_us,
                      std::vector<RowError>* errors) {
  if (s.start_us < kEarliestUs) errors->push_back({index, "start", "is before 1900"});
  if (s.start_us > now_us + max_future_us) errors->push_back({index, "start", "is in the future"});
  if (s.end_us != s.start_us && s.end_us > now_us + max_future_us) {
    errors->push_back({index, "end", "is in the future"});
  }
}

}  // namespace mlw::pipelines::vitals
