// Nutrition entries as submitted (DESIGN.md: POST /v1/users/{id}/nutrition) and their validation.
// Nutrient keys carry their unit in the name (protein_g, sodium_mg, vitamin_d_ug); calories are
// kcal. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "pipelines/row_error.h"

namespace mlw::pipelines::nutrition {

struct NutrientDef {
  std::string_view key;  // JSON field and aggregate key
  bool required;
  double max_per_entry;  // plausible upper bound for one entry, inclusive
};

// calories, protein_g, carbs_g, fat_g (required), fiber_g, sugar_g, sodium_mg and further
// micronutrients (optional).
const std::vector<NutrientDef>& Nutrients();
const std::vector<std::string_view>& MealTypes();  // breakfast, lunch, dinner, snack

struct NutritionEntry {
  int64_t eaten_at_us = 0;
  int utc_offset_s = 0;
  std::string meal_type;
  std::string food;
  std::map<std::string, double> nutrients;  // key -> amount, present nutrients only
};

// Parses and validates the JSON array of entries; bad rows get errors (index, field, reason) and
// are left out. `now_us`/`max_future_us` bound eaten_at.
std::vector<NutritionEntry> ParseNutritionEntries(const nlohmann::json& entries, int64_t now_us,
                                                  int64_t max_future_us,
                                                  std::vector<RowError>* errors);

// Re-validates a stored entry (meal type, nutrient names and ranges); appends errors.
void ValidateEntry(const NutritionEntry& entry, size_t index, std::vector<RowError>* errors);

// The nutrients object as stored (compact JSON) and back.
std::string NutrientsToJson(const std::map<std::string, double>& nutrients);
bool NutrientsFromJson(const std::string& text, std::map<std::string, double>* out);

}  // namespace mlw::pipelines::nutrition
