// A lab value's unit normalized to its test's canonical unit. Two sources, in order: the
// pipeline's curated rule table (rule_lab_coder.h: exact factors for the most common tests), then
// the mapping engine's unit algebra (mapping/units.h) for every coded test whose catalog entry
// names a canonical unit: scale changes within a kind (ng/mL <-> ug/L, mIU/mL <-> mIU/L) and
// mass <-> substance concentrations through the analyte's molar mass (vitamin D ng/mL <-> nmol/L).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pipelines/labs/lab_coder.h"

namespace mlw::pipelines::labs {

// The unit results of `coding`'s test are aggregated in: the rule's canonical unit when the code
// has a rule, else the coding's (from the mapping catalog); "" when neither names one.
std::string CanonicalUnitFor(const LabCoding& coding);

// `value` printed in `unit`, expressed in CanonicalUnitFor(coding); nullopt when the unit is
// missing, unknown or of another kind (the value then stays in its printed unit).
std::optional<double> ToCanonicalUnit(const LabCoding& coding, double value, std::string_view unit);

}  // namespace mlw::pipelines::labs
