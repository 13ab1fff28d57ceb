// Reference ranges as lab reports print them, parsed into bounds. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mlw::pipelines::labs {

struct ReferenceRange {
  std::string text;
  std::optional<double> low, high;
  bool low_inclusive = true, high_inclusive = true;
  std::string qualitative;  // "Negative", "Non-reactive", … when the range is a word
  std::string unit;         // printed after the bounds ("0.4-4.0 mIU/L"), else empty
};

// Accepts, optionally in parentheses or brackets:
//   "a-b", "a - b", "a–b" (en dash), "a to b";
//   "<b", "<=b", "≤b", ">a", ">=a", "≥a", "up to b" (<=), "less than b", "greater than a";
// each optionally followed by a unit ("0.4-4.0 mIU/L", "<200 mg/dL", ">=60 mL/min/1.73m2"), and
// an expected finding ("Negative", "Not detected", "Clear", …). kInvalidArgument, naming the
// accepted forms, for anything else or low > high.
Result<ReferenceRange> ParseReferenceRange(std::string_view text);

}  // namespace mlw::pipelines::labs
