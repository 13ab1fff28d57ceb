// Parsing what a lab report prints: result values ("5.4", "<0.1", "Positive"), reference ranges
// ("13.5-17.5", "<200", ">=40", "Negative"), flags, and units; deriving a flag from value and
// range; converting to a test's canonical unit. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "pipelines/labs/reference_range.h"
#include "pipelines/labs/rule_lab_coder.h"

namespace mlw::pipelines::labs {

struct LabValue {
  std::string text;              // trimmed, as printed
  std::optional<double> number;  // numeric part, if any
  std::string comparator;        // "", "<", "<=", ">", ">=" for censored values
};

// kInvalidArgument for an empty value or a number that is not finite.
Result<LabValue> ParseLabValue(std::string_view text);

// Normalizes a printed flag: H/HH/High/critical high -> "high", L/LL/Low -> "low",
// N/Normal -> "normal", A/Abnormal/* -> "abnormal". nullopt if unrecognized.
std::optional<std::string> NormalizeFlag(std::string_view flag);

// low | high | normal | abnormal from value and range, or nullopt when undeterminable (no range,
// a numeric value against a word range, …). Censored values are compared at their bound.
std::optional<std::string> DeriveFlag(const LabValue& value, const ReferenceRange& range);

// Folds spelling variants: case, µ/μ -> u, spaces, "^" -> "*", "mcg" -> "ug".
std::string NormalizeLabUnit(std::string_view unit);

// Converts `value` in `unit` to the rule's canonical unit, or nullopt when the unit is not one the
// rule knows (the value then stays in its printed unit).
std::optional<double> ToCanonical(const LabTestRule& rule, double value, std::string_view unit);

}  // namespace mlw::pipelines::labs
