#include "cli/demo_data.h"

#include <cmath>
#include <random>

#include "core/timestamp.h"

namespace mlw::cli {
namespace {

constexpr int64_t kHour = 3600LL * 1000000;
constexpr int64_t kDay = 24 * kHour;
constexpr size_t kBatch = 2000;

struct Food {
  const char* name;
  const char* meal;
  double calories, protein, carbs, fat, fiber, sugar, sodium;
};

const Food kFoods[] = {
    {"oatmeal with berries", "breakfast", 320, 11, 54, 6, 8, 14, 120},
    {"scrambled eggs and toast", "breakfast", 410, 22, 30, 21, 3, 4, 540},
    {"greek yogurt with honey", "breakfast", 250, 18, 32, 5, 0, 28, 85},
    {"chicken salad", "lunch", 480, 38, 18, 26, 6, 7, 720},
    {"lentil soup", "lunch", 390, 21, 55, 8, 16, 6, 810},
    {"turkey sandwich", "lunch", 520, 31, 48, 19, 5, 8, 1150},
    {"salmon with rice", "dinner", 640, 42, 58, 22, 3, 2, 480},
    {"vegetable stir fry with tofu", "dinner", 510, 26, 52, 20, 9, 12, 930},
    {"pasta bolognese", "dinner", 720, 34, 86, 24, 7, 11, 890},
    {"apple", "snack", 95, 0.5, 25, 0.3, 4.4, 19, 2},
    {"almonds", "snack", 170, 6, 6, 15, 3.5, 1.2, 0},
};

nlohmann::json Sample(const char* metric, double value, const char* unit, int64_t start,
                      int64_t end = 0) {
  nlohmann::json s = {{"metric", metric},
                      {"value", std::round(value * 10) / 10},
                      {"unit", unit},
                      {"start", FormatRfc3339(start)},
                      {"source", "demo-watch"}};
  if (end > start) s["end"] = FormatRfc3339(end);
  return s;
}

void AddBatched(std::vector<nlohmann::json>* batches, const char* field, nlohmann::json item) {
  if (batches->empty() || (*batches).back()[field].size() >= kBatch) {
    batches->push_back({{field, nlohmann::json::array()}});
  }
  batches->back()[field].push_back(std::move(item));
}

}  // namespace

DemoUploads MakeDemoUploads(int64_t end_micros) {
  DemoUploads out;
  std::mt19937 rng(20240501);
  std::normal_distribution<double> noise(0.0, 1.0);
  const int64_t first_day = (end_micros / kDay - 365) * kDay;
  double weight = 82.0;
  for (int64_t day = 0; day < 365; ++day) {
    const int64_t midnight = first_day + day * kDay;
    auto add = [&](nlohmann::json s) {
      AddBatched(&out.vitals_batches, "samples", std::move(s));
      ++out.vitals_samples;
    };
    for (int hour = 0; hour < 24; ++hour) {
      const int64_t at = midnight + hour * kHour;
      const bool asleep = hour < 7 || hour == 23;
      add(Sample("heart_rate", (asleep ? 56 : 74) + 6 * noise(rng), "bpm",
                 at + 17 * 60 * 1000000LL));
      if (!asleep) {
        double steps = std::max(0.0, 520 + 380 * noise(rng) + (hour == 18 ? 2500 : 0));
        add(Sample("steps", std::floor(steps), "count", at, at + kHour));
      }
    }
    // Sleep from 23:00 the day before to 07:00, in stages that cover the night.
    const int64_t night = midnight - kHour;
    const std::pair<const char*, int64_t> stages[] = {{"light", 110}, {"deep", 85},  {"rem", 95},
                                                      {"light", 120}, {"awake", 10}, {"rem", 60}};
    int64_t t = night;
    for (const auto& [stage, minutes] : stages) {
      nlohmann::json s =
          Sample("sleep", static_cast<double>(minutes), "min", t, t + minutes * 60 * 1000000LL);
      s.erase("value");
      s.erase("unit");
      s["stage"] = stage;
      add(std::move(s));
      t += minutes * 60 * 1000000LL;
    }
    nlohmann::json bp = {{"metric", "blood_pressure"},
                         {"systolic", std::round(121 + 6 * noise(rng))},
                         {"diastolic", std::round(79 + 4 * noise(rng))},
                         {"unit", "mmHg"},
                         {"start", FormatRfc3339(midnight + 8 * kHour)},
                         {"source", "demo-cuff"}};
    add(std::move(bp));
    add(Sample("oxygen_saturation", std::min(100.0, 97 + 0.8 * noise(rng)), "%",
               midnight + 3 * kHour));
    weight += 0.03 * noise(rng) - 0.01;
    if (day % 7 == 0)
      add(Sample("body_weight", weight, "kg", midnight + 7 * kHour + 30 * 60 * 1000000LL));

    // Meals: breakfast, lunch, dinner and most days a snack.
    const int64_t meal_hours[] = {8, 13, 19, 16};
    for (int m = 0; m < 4; ++m) {
      if (m == 3 && day % 3 == 0) continue;
      const Food* choices[4][3];
      int n = 0;
      for (const Food& f : kFoods) {
        static const char* kMeals[] = {"breakfast", "lunch", "dinner", "snack"};
        if (std::string(f.meal) == kMeals[m] && n < 3) choices[m][n++] = &f;
      }
      const Food& f = *choices[m][std::uniform_int_distribution<int>(0, n - 1)(rng)];
      double portion = 0.85 + 0.3 * std::uniform_real_distribution<double>(0, 1)(rng);
      auto r = [portion](double v) { return std::round(v * portion * 10) / 10; };
      AddBatched(&out.nutrition_batches, "entries",
                 {{"eaten_at", FormatRfc3339(midnight + meal_hours[m] * kHour)},
                  {"meal_type", f.meal},
                  {"food", f.name},
                  {"calories", r(f.calories)},
                  {"protein_g", r(f.protein)},
                  {"carbs_g", r(f.carbs)},
                  {"fat_g", r(f.fat)},
                  {"fiber_g", r(f.fiber)},
                  {"sugar_g", r(f.sugar)},
                  {"sodium_mg", r(f.sodium)}});
      ++out.meal_entries;
    }
  }
  // Three lab reports a few months apart, printed the way real reports print names.
  const int64_t report_days[] = {40, 170, 330};
  for (int i = 0; i < 3; ++i) {
    const double drift = i * 0.06;
    nlohmann::json tests = {
        {{"name", "HAEMOGLOBIN"},
         {"value", 14.2 - drift},
         {"unit", "g/dL"},
         {"reference_range", "13.5-17.5"}},
        {{"name", "TLC"},
         {"value", 7.1 + drift},
         {"unit", "10^3/uL"},
         {"reference_range", "4.0-11.0"}},
        {{"name", "Platelet Count"},
         {"value", 248},
         {"unit", "10^3/uL"},
         {"reference_range", "150-450"}},
        {{"name", "Fasting Blood Sugar (FBS)"},
         {"value", 98 + 6 * i},
         {"unit", "mg/dL"},
         {"reference_range", "70-99"}},
        {{"name", "HbA1c"}, {"value", 5.5 + 0.2 * i}, {"unit", "%"}, {"reference_range", "<5.7"}},
        {{"name", "Total Cholesterol"},
         {"value", 212 - 9 * i},
         {"unit", "mg/dL"},
         {"reference_range", "<200"}},
        {{"name", "HDL Cholesterol"},
         {"value", 44 + 2 * i},
         {"unit", "mg/dL"},
         {"reference_range", ">=40"}},
        {{"name", "LDL-CHOLESTEROL (CALC)"},
         {"value", 138 - 8 * i},
         {"unit", "mg/dL"},
         {"reference_range", "<130"}},
        {{"name", "Triglycerides"},
         {"value", 150 - 5 * i},
         {"unit", "mg/dL"},
         {"reference_range", "<150"}},
        {{"name", "S. Creatinine"},
         {"value", 1.0},
         {"unit", "mg/dL"},
         {"reference_range", "0.7-1.3"}},
        {{"name", "SGPT"}, {"value", 31 + 3 * i}, {"unit", "U/L"}, {"reference_range", "7-56"}},
        {{"name", "TSH - ULTRASENSITIVE"},
         {"value", 2.1},
         {"unit", "uIU/mL"},
         {"reference_range", "0.4-4.0"}},
        {{"name", "Vitamin D, 25-Hydroxy"},
         {"value", 22 + 6 * i},
         {"unit", "ng/mL"},
         {"reference_range", "30-100"}},
    };
    out.lab_tests += static_cast<int64_t>(tests.size());
    out.lab_reports.push_back(
        {{"report_date", FormatRfc3339(first_day + report_days[i] * kDay + 9 * kHour)},
         {"lab_name", "Demo Diagnostics"},
         {"tests", tests}});
  }
  return out;
}

}  // namespace mlw::cli
