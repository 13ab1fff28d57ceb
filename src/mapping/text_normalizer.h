// Normalization of lab test names as printed on reports, shared by the catalog index and queries so
// both sides meet in the same form: lower case ASCII, punctuation removed, letters and digits split
// ("HbA1c" -> "hb a 1 c" -> "hemoglobin a 1 c"), British spellings folded ("haem" -> "hem",
// "oes" -> "es", "leuco" -> "leuko", "sulph" -> "sulf"), common abbreviations canonicalized
// ("calculated"/"calc" -> "calc", "%"/"percent" -> "pct", "absolute" -> "abs"), light plural
// stemming, filler words dropped ("level", "test", "estimation"), and specimen words ("S.", "Serum",
// "Sr.", "Plasma", "Blood", "Urine", ...) moved out of the tokens into `specimen`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mapping/specimen.h"

namespace mlw::mapping {

struct NormalizedName {
  std::vector<std::string> tokens;  // content tokens in printed order
  std::string text;                 // tokens joined by single spaces
  std::string key;                  // sorted unique tokens joined by spaces: the exact-match key
  Specimen specimen = Specimen::kUnknown;  // strongest specimen named in the text
};

// Pure function; safe to call concurrently.
NormalizedName Normalize(std::string_view printed_name);

// The specimen class a single normalized token names ("urine", "serum", ...), or kUnknown.
Specimen SpecimenOfWord(std::string_view token);

}  // namespace mlw::mapping
