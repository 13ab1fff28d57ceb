#include "pipelines/vitals/vital_sample.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mlw::pipelines::vitals {
namespace {

using nlohmann::json;

SeriesValues One(const json& sample, std::vector<RowError>* errors) {
  auto parsed = ParseVitalSamples(json::array({sample}), errors);
  if (parsed.empty()) return {};
  return Categorize(parsed[0].second, 0, errors);
}

TEST(VitalSampleTest, ConvertsUnitsExactlyToCanonical) {
  std::vector<RowError> errors;
  auto w = One({{"metric", "body_weight"},
                {"value", 150},
                {"unit", "lb"},
                {"start", "2024-01-01T08:00:00Z"}},
               &errors);
  ASSERT_EQ(w.size(), 1u) << RowErrorsToJson(errors).dump();
  EXPECT_DOUBLE_EQ(w[0].value, 150 * 0.45359237);
  EXPECT_EQ(w[0].series->loinc_code, "29463-7");
  auto t = One({{"metric", "body_temperature"},
                {"value", 98.6},
                {"unit", "[degF]"},
                {"start", "2024-01-01T08:00:00Z"}},
               &errors);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_NEAR(t[0].value, 37.0, 1e-9);
  auto g = One({{"metric", "blood_glucose"},
                {"value", 5.5},
                {"unit", "mmol/L"},
                {"start", "2024-01-01T08:00:00Z"}},
               &errors);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_NEAR(g[0].value, 99.0858, 1e-9);
  EXPECT_TRUE(errors.empty());
}

TEST(VitalSampleTest, BloodPressureYieldsTwoSeriesAndSleepCountsAsAsleep) {
  std::vector<RowError> errors;
  auto bp = One({{"metric", "blood_pressure"},
                 {"systolic", 120},
                 {"diastolic", 80},
                 {"unit", "mmHg"},
                 {"start", "2024-01-01T08:00:00+01:00"}},
                &errors);
  ASSERT_EQ(bp.size(), 2u) << RowErrorsToJson(errors).dump();
  EXPECT_EQ(bp[0].series->name, "blood_pressure_systolic");
  EXPECT_EQ(bp[1].series->loinc_code, "8462-4");
  auto sleep = One({{"metric", "sleep"},
                    {"stage", "deep"},
                    {"start", "2024-01-01T23:00:00Z"},
                    {"end", "2024-01-02T00:30:00Z"}},
                   &errors);
  ASSERT_EQ(sleep.size(), 2u) << RowErrorsToJson(errors).dump();
  EXPECT_DOUBLE_EQ(sleep[0].value, 90);
  std::vector<std::string_view> names = {sleep[0].series->name, sleep[1].series->name};
  EXPECT_NE(std::find(names.begin(), names.end(), "sleep_deep"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "sleep_asleep"), names.end());
}

TEST(VitalSampleTest, ReportsEveryProblemWithFieldAndReason) {
  struct Case {
    json sample;
    std::string field;
    std::string reason_part;
  };
  const std::vector<Case> cases = {
      {{{"metric", "mood"}, {"value", 1}, {"unit", "x"}, {"start", "2024-01-01T00:00:00Z"}},
       "metric",
       "unknown metric"},
      {{{"metric", "heart_rate"}, {"value", 60}, {"unit", "kg"}, {"start", "2024-01-01T00:00:00Z"}},
       "unit",
       "not accepted"},
      {{{"metric", "heart_rate"}, {"value", 60}, {"start", "2024-01-01T00:00:00Z"}},
       "unit",
       "is required"},
      {{{"metric", "steps"}, {"value", -5}, {"unit", "count"}, {"start", "2024-01-01T00:00:00Z"}},
       "value",
       "plausible range"},
      {{{"metric", "oxygen_saturation"},
        {"value", 140},
        {"unit", "%"},
        {"start", "2024-01-01T00:00:00Z"}},
       "value",
       "plausible range"},
      {{{"metric", "heart_rate"},
        {"value", "60"},
        {"unit", "bpm"},
        {"start", "2024-01-01T00:00:00Z"}},
       "value",
       "must be a number"},
      {{{"metric", "heart_rate"}, {"value", 60}, {"unit", "bpm"}, {"start", "yesterday"}},
       "start",
       "RFC 3339"},
      {{{"metric", "heart_rate"}, {"value", 60}, {"unit", "bpm"}}, "start", "is required"},
      {{{"metric", "heart_rate"},
        {"value", 60},
        {"unit", "bpm"},
        {"start", "2024-01-01T00:00:00Z"},
        {"colour", "red"}},
       "colour",
       "unknown field"},
      {{{"metric", "blood_pressure"},
        {"systolic", 70},
        {"diastolic", 90},
        {"unit", "mmHg"},
        {"start", "2024-01-01T00:00:00Z"}},
       "systolic",
       "greater than diastolic"},
      {{{"metric", "sleep"},
        {"stage", "dreaming"},
        {"start", "2024-01-01T00:00:00Z"},
        {"end", "2024-01-01T01:00:00Z"}},
       "stage",
       "stage"},
      {{{"metric", "steps"},
        {"value", 10},
        {"unit", "count"},
        {"start", "2024-01-02T00:00:00Z"},
        {"end", "2024-01-01T00:00:00Z"}},
       "end",
       "before start"},
  };
  for (const auto& c : cases) {
    std::vector<RowError> errors;
    auto values = One(c.sample, &errors);
    EXPECT_TRUE(values.empty()) << c.sample.dump();
    ASSERT_FALSE(errors.empty()) << c.sample.dump();
    bool found = false;
    for (const auto& e : errors) {
      found = found || (e.field == c.field && e.reason.find(c.reason_part) != std::string::npos);
    }
    EXPECT_TRUE(found) << c.sample.dump() << " -> " << RowErrorsToJson(errors).dump();
  }
}

TEST(VitalSampleTest, TypedSamplesRejectNonFiniteValuesAndFutureTimes) {
  VitalSample s;
  s.metric = "heart_rate";
  s.unit = "bpm";
  s.value = std::numeric_limits<double>::quiet_NaN();
  std::vector<RowError> errors;
  EXPECT_TRUE(Categorize(s, 3, &errors).empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].index, 3u);
  EXPECT_EQ(errors[0].field, "value");
  errors.clear();
  s.value = 60;
  s.start_us = s.end_us = 10LL * 3600 * 1000000;
  CheckSampleTimes(s, 0, 0, 3600LL * 1000000, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].reason, "is in the future");
}

}  // namespace
}  // namespace mlw::pipelines::vitals
