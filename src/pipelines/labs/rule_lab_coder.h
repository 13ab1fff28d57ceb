// The built-in LabCoder: a rule set of about fifty common tests, each with its LOINC code, the
// spellings labs print for it, its category and canonical unit. A name matches a rule when its
// normalized form equals one of the rule's spellings (confidence 0.95) or contains one as whole
// words (confidence 0.8, longest spelling wins); urine tests match only with a urine specimen
// or "urine" in the name. Immutable and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipelines/labs/lab_coder.h"

namespace mlw::pipelines::labs {

struct UnitFactor {
  std::string_view unit;  // as normalized by NormalizeLabUnit
  double scale = 1;       // canonical = value * scale + offset
  double offset = 0;
};

struct LabTestRule {
  std::string_view loinc_code;
  std::string_view loinc_name;
  std::string_view category;
  std::string_view canonical_unit;  // UCUM-style; "" when the test has no numeric unit
  std::vector<UnitFactor> units;    // accepted units besides the canonical one
  std::vector<std::string_view> names;
  bool urine = false;
};

const std::vector<LabTestRule>& LabTestRules();
const LabTestRule* FindLabRule(std::string_view loinc_code);

class RuleLabCoder final : public LabCoder {
 public:
  LabCoding Code(std::string_view name, std::string_view unit,
                 std::string_view specimen) const override;
};

}  // namespace mlw::pipelines::labs
