#include "pipelines/nutrition/nutrition_entry.h"

#include <cmath>

#include "core/timestamp.h"

namespace mlw::pipelines::nutrition {
namespace {

constexpr int64_t kEarliestUs = -2208988800LL * 1000000;  // 1900-01-01

const NutrientDef* FindNutrient(std::string_view key) {
  for (const auto& n : Nutrients()) {
    if (n.key == key) return &n;
  }
  return nullptr;
}

}  // namespace

const std::vector<NutrientDef>& Nutrients() {
  static const std::vector<NutrientDef> defs = {
      {"calories", true, 10000},        {"protein_g", true, 1000},
      {"carbs_g", true, 2000},          {"fat_g", true, 1000},
      {"fiber_g", false, 500},          {"sugar_g", false, 2000},
      {"sodium_mg", false, 50000},      {"saturated_fat_g", false, 1000},
      {"trans_fat_g", false, 500},      {"cholesterol_mg", false, 10000},
      {"potassium_mg", false, 50000},   {"calcium_mg", false, 20000},
      {"iron_mg", false, 1000},         {"magnesium_mg", false, 10000},
      {"zinc_mg", false, 1000},         {"vitamin_a_ug", false, 100000},
      {"vitamin_c_mg", false, 20000},   {"vitamin_d_ug", false, 10000},
      {"vitamin_b12_ug", false, 10000}, {"folate_ug", false, 20000},
      {"caffeine_mg", false, 5000},     {"alcohol_g", false, 1000},
      {"water_ml", false, 10000},
  };
  return defs;
}

const std::vector<std::string_view>& MealTypes() {
  static const std::vector<std::string_view> meals = {"breakfast", "lunch", "dinner", "snack"};
  return meals;
}

void ValidateEntry(const NutritionEntry& e, size_t index, std::vector<RowError>* errors) {
  bool meal_ok = false;
  for (auto m : MealTypes()) meal_ok = meal_ok || m == e.meal_type;
  if (!meal_ok) {
    errors->push_back({index, "meal_type", "must be breakfast, lunch, dinner or snack"});
  }
  if (e.food.empty()) errors->push_back({index, "food", "is required"});
  if (e.food.size() > 500) errors->push_back({index, "food", "is longer than 500 characters"});
  for (const auto& def : Nutrients()) {
    if (def.required && !e.nutrients.count(std::string(def.key))) {
      errors->push_back({index, std::string(def.key), "is required"});
    }
  }
  for (const auto& [key, amount] : e.nutrients) {
    const NutrientDef* def = FindNutrient(key);
    if (def == nullptr) {
      errors->push_back({index, key, "unknown field"});
    } else if (!std::isfinite(amount) || amount < 0 || amount > def->max_per_entry) {
      errors->push_back({index, key,
                         "must be a number between 0 and " +
                             std::to_string(static_cast<int64_t>(def->max_per_entry))});
    }
  }
}

std::vector<NutritionEntry> ParseNutritionEntries(const nlohmann::json& entries, int64_t now_us,
                                                  int64_t max_future_us,
                                                  std::vector<RowError>* errors) {
  std::vector<NutritionEntry> out;
  if (!entries.is_array()) {
    errors->push_back({0, "entries", "must be an array of entries"});
    return out;
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& row = entries[i];
    if (!row.is_object()) {
      errors->push_back({i, "", "entry must be an object"});
      continue;
    }
    const size_t before = errors->size();
    NutritionEntry e;
    for (const auto& [key, v] : row.items()) {
      if (key == "eaten_at") {
        if (!v.is_string()) {
          errors->push_back({i, key, "must be an RFC 3339 string"});
        } else if (auto t = ParseRfc3339(v.get<std::string>()); !t.ok()) {
          errors->push_back({i, key, t.status().message()});
        } else {
          e.eaten_at_us = t->micros;
          e.utc_offset_s = t->offset_seconds;
          if (e.eaten_at_us > now_us + max_future_us)
            errors->push_back({i, key, "is in the future"});
          if (e.eaten_at_us < kEarliestUs) errors->push_back({i, key, "is before 1900"});
        }
      } else if (key == "meal_type" || key == "food") {
        if (!v.is_string()) {
          errors->push_back({i, key, "must be a string"});
        } else {
          (key == "food" ? e.food : e.meal_type) = v.get<std::string>();
        }
      } else if (!v.is_number()) {
        errors->push_back({i, key, FindNutrient(key) ? "must be a number" : "unknown field"});
      } else {
        e.nutrients[key] = v.get<double>();
      }
    }
    if (!row.contains("eaten_at")) errors->push_back({i, "eaten_at", "is required"});
    if (!row.contains("meal_type"))
      errors->push_back({i, "meal_type", "is required"});
    else if (!row.contains("food"))
      errors->push_back({i, "food", "is required"});
    if (errors->size() == before) {
      // Presence errors above already cover missing meal_type/food; check the rest.
      ValidateEntry(e, i, errors);
    } else {
      std::vector<RowError> more;
      ValidateEntry(e, i, &more);
      for (auto& m : more) {
        if (m.field != "meal_type" && m.field != "food") errors->push_back(std::move(m));
      }
    }
    if (errors->size() == before) out.push_back(std::move(e));
  }
  return out;
}

std::string NutrientsToJson(const std::map<std::string, double>& nutrients) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : nutrients) j[k] = v;
  return j.dump();
}

bool NutrientsFromJson(const std::string& text, std::map<std::string, double>* out) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  out->clear();
  for (const auto& [k, v] : j.items()) {
    if (!v.is_number()) return false;
    (*out)[k] = v.get<double>();
  }
  return true;
}

}  // namespace mlw::pipelines::nutrition
