#include "pipelines/vitals/vital_catalog.h"

#include <algorithm>

namespace mlw::pipelines::vitals {
namespace {

using K = AggregationKind;

// Exact factors: the pound, inch, foot, mile and US fluid ounce are defined in SI units; the
// thermochemical calorie is 4.184 J; glucose's molar mass 180.156 g/mol gives 18.0156 mg/dL per
// mmol/L.
std::vector<MetricDef> Build() {
  const std::vector<UnitConversion> per_min = {{"/min"},      {"bpm"},         {"beats/min"},
                                               {"count/min"}, {"{beats}/min"}, {"1/min"}};
  const std::vector<UnitConversion> minutes = {{"min"}, {"h", 60}, {"hr", 60}, {"s", 1.0 / 60}};
  const std::vector<UnitConversion> percent = {{"%"}, {"percent"}};
  std::vector<MetricDef> m;
  m.push_back({"heart_rate",
               "/min",
               K::kDiscrete,
               per_min,
               20,
               300,
               {{"heart_rate", "8867-4", "Heart rate"}}});
  m.push_back({"resting_heart_rate",
               "/min",
               K::kDiscrete,
               per_min,
               20,
               250,
               {{"resting_heart_rate", "40443-4", "Heart rate --resting"}}});
  m.push_back(
      {"heart_rate_variability",
       "ms",
       K::kDiscrete,
       {{"ms"}, {"s", 1000}},
       1,
       1000,
       {{"heart_rate_variability", "80404-7", "R-R interval.standard deviation (HRV SDNN)"}}});
  m.push_back({"blood_pressure",
               "mm[Hg]",
               K::kDiscrete,
               {{"mm[Hg]"}, {"mmHg"}, {"kPa", 1000 / 133.322387415}},
               20,
               300,
               {{"blood_pressure_systolic", "8480-6", "Systolic blood pressure"},
                {"blood_pressure_diastolic", "8462-4", "Diastolic blood pressure"}}});
  m.push_back({"oxygen_saturation",
               "%",
               K::kDiscrete,
               percent,
               50,
               100,
               {{"oxygen_saturation", "59408-5", "Oxygen saturation by pulse oximetry"}}});
  m.push_back({"respiratory_rate",
               "/min",
               K::kDiscrete,
               {{"/min"}, {"breaths/min"}, {"{breaths}/min"}, {"count/min"}},
               1,
               120,
               {{"respiratory_rate", "9279-1", "Respiratory rate"}}});
  m.push_back({"body_temperature",
               "Cel",
               K::kDiscrete,
               {{"Cel"},
                {"°C"},
                {"C"},
                {"degC"},
                {"[degF]", 5.0 / 9, -32.0 * 5 / 9},
                {"°F", 5.0 / 9, -32.0 * 5 / 9},
                {"F", 5.0 / 9, -32.0 * 5 / 9},
                {"degF", 5.0 / 9, -32.0 * 5 / 9}},
               25,
               45,
               {{"body_temperature", "8310-5", "Body temperature"}}});
  m.push_back({"body_weight",
               "kg",
               K::kDiscrete,
               {{"kg"},
                {"g", 0.001},
                {"[lb_av]", 0.45359237},
                {"lb", 0.45359237},
                {"lbs", 0.45359237},
                {"[oz_av]", 0.028349523125},
                {"oz", 0.028349523125},
                {"[stone_av]", 6.35029318},
                {"st", 6.35029318}},
               0.2,
               650,
               {{"body_weight", "29463-7", "Body weight"}}});
  m.push_back({"body_height",
               "cm",
               K::kDiscrete,
               {{"cm"},
                {"m", 100},
                {"mm", 0.1},
                {"[in_i]", 2.54},
                {"in", 2.54},
                {"[ft_i]", 30.48},
                {"ft", 30.48}},
               20,
               275,
               {{"body_height", "8302-2", "Body height"}}});
  m.push_back({"bmi",
               "kg/m2",
               K::kDiscrete,
               {{"kg/m2"}, {"kg/m^2"}},
               5,
               150,
               {{"bmi", "39156-5", "Body mass index (BMI) [Ratio]"}}});
  m.push_back({"body_fat_percentage",
               "%",
               K::kDiscrete,
               percent,
               1,
               80,
               {{"body_fat_percentage", "41982-0", "Percentage of body fat Measured"}}});
  m.push_back({"blood_glucose",
               "mg/dL",
               K::kDiscrete,
               {{"mg/dL"}, {"mmol/L", 18.0156}},
               10,
               2000,
               {{"blood_glucose", "2339-0", "Glucose [Mass/volume] in Blood"}}});
  m.push_back({"steps",
               "{steps}",
               K::kCumulative,
               {{"{steps}"}, {"steps"}, {"count"}},
               0,
               200000,
               {{"steps", "55423-8", "Number of steps in unspecified time Pedometer"}}});
  m.push_back({"distance",
               "m",
               K::kCumulative,
               {{"m"},
                {"km", 1000},
                {"[mi_i]", 1609.344},
                {"mi", 1609.344},
                {"ft", 0.3048},
                {"[yd_i]", 0.9144},
                {"yd", 0.9144}},
               0,
               1000000,
               {{"distance", "41953-1", "Walking distance 24 hour Pedometer"}}});
  m.push_back({"active_energy",
               "kcal",
               K::kCumulative,
               {{"kcal"}, {"Cal"}, {"[Cal]"}, {"kJ", 1 / 4.184}, {"J", 1 / 4184.0}},
               0,
               50000,
               {{"active_energy", "41981-2", "Calories burned"}}});
  m.push_back({"flights_climbed",
               "{flights}",
               K::kCumulative,
               {{"{flights}"}, {"flights"}, {"count"}},
               0,
               10000,
               {{"flights_climbed", "93833-2", "Flights climbed"}}});
  m.push_back({"exercise_minutes",
               "min",
               K::kCumulative,
               minutes,
               0,
               10080,
               {{"exercise_minutes", "55411-3", "Exercise duration"}}});
  m.push_back({"water_intake",
               "mL",
               K::kCumulative,
               {{"mL"},
                {"ml"},
                {"L", 1000},
                {"l", 1000},
                {"[foz_us]", 29.5735295625},
                {"fl_oz", 29.5735295625},
                {"fl oz", 29.5735295625}},
               0,
               20000,
               {{"water_intake", "75295-6", "Fluid intake oral"}}});
  m.push_back({"sleep",
               "min",
               K::kCumulative,
               minutes,
               0,
               10080,
               {{"sleep_asleep", "93832-4", "Sleep duration"},
                {"sleep_in_bed", "", "Time in bed"},
                {"sleep_awake", "93828-2", "Nighttime awakening duration"},
                {"sleep_light", "93830-8", "Light sleep duration"},
                {"sleep_deep", "93831-6", "Deep sleep duration"},
                {"sleep_rem", "93829-0", "REM sleep duration"}}});
  std::vector<Series*> by_name;
  for (auto& metric : m) {
    for (auto& series : metric.series) by_name.push_back(&series);
  }
  std::sort(by_name.begin(), by_name.end(),
            [](const Series* a, const Series* b) { return a->name < b->name; });
  for (size_t i = 0; i < by_name.size(); ++i) by_name[i]->name_order = static_cast<int>(i);
  return m;
}

}  // namespace

const std::vector<MetricDef>& Metrics() {
  static const std::vector<MetricDef> metrics = Build();
  return metrics;
}

const MetricDef* FindMetric(std::string_view name) {
  for (const auto& m : Metrics()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const MetricDef* FindMetricBySeries(std::string_view series_name, const Series** series) {
  for (const auto& m : Metrics()) {
    for (const auto& s : m.series) {
      if (s.name == series_name || (m.name == series_name && &s == &m.series.front())) {
        *series = &s;
        return &m;
      }
    }
  }
  return nullptr;
}

std::optional<UnitConversion> FindUnit(const MetricDef& metric, std::string_view unit) {
  for (const auto& u : metric.units) {
    if (u.unit == unit) return u;
  }
  return std::nullopt;
}

std::string AcceptedUnits(const MetricDef& metric) {
  std::string out;
  for (const auto& u : metric.units) out += (out.empty() ? "" : ", ") + std::string(u.unit);
  return out;
}

const std::vector<std::string_view>& SleepStages() {
  static const std::vector<std::string_view> stages = {"in_bed", "asleep", "awake",
                                                       "light",  "deep",   "rem"};
  return stages;
}

bool IsAsleepStage(std::string_view stage) {
  return stage == "asleep" || stage == "light" || stage == "deep" || stage == "rem";
}

}  // namespace mlw::pipelines::vitals
