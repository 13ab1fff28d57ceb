#include "pipelines/labs/lab_units.h"

#include "mapping/units.h"
#include "pipelines/labs/lab_result.h"
#include "pipelines/labs/rule_lab_coder.h"

namespace mlw::pipelines::labs {
namespace {

const LabTestRule* RuleFor(const LabCoding& coding) {
  return coding.loinc_code.empty() ? nullptr : FindLabRule(coding.loinc_code);
}

// LOINC long names start with the component: "Glucose [Mass/volume] in Serum or Plasma".
std::string ComponentOfLongName(std::string_view long_name) {
  const size_t bracket = long_name.find(" [");
  return std::string(long_name.substr(0, bracket));
}

}  // namespace

std::string CanonicalUnitFor(const LabCoding& coding) {
  if (const LabTestRule* rule = RuleFor(coding)) return std::string(rule->canonical_unit);
  return coding.canonical_unit;
}

std::optional<double> ToCanonicalUnit(const LabCoding& coding, double value,
                                      std::string_view unit) {
  const LabTestRule* rule = RuleFor(coding);
  if (rule != nullptr) {
    if (auto v = ToCanonical(*rule, value, unit)) return v;
  }
  const std::string target = CanonicalUnitFor(coding);
  if (target.empty() || unit.empty()) return std::nullopt;
  const std::string component = !coding.component.empty() ? coding.component
                                : rule != nullptr         ? ComponentOfLongName(rule->loinc_name)
                                                          : ComponentOfLongName(coding.loinc_name);
  Result<double> converted =
      mapping::ConvertValue(value, unit, target, mapping::AnalyteForComponent(component));
  if (!converted.ok()) return std::nullopt;
  return *converted;
}

}  // namespace mlw::pipelines::labs
