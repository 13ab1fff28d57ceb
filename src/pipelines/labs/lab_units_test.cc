#include "pipelines/labs/lab_units.h"

#include <gtest/gtest.h>

#include "pipelines/labs/rule_lab_coder.h"

namespace mlw::pipelines::labs {
namespace {

LabCoding Coded(const char* code, const char* canonical_unit, const char* component) {
  LabCoding c;
  c.loinc_code = code;
  c.canonical_unit = canonical_unit;
  c.component = component;
  return c;
}

TEST(LabUnitsTest, CuratedRulesComeFirst) {
  LabCoding glucose = Coded("2345-7", "", "");
  EXPECT_EQ(CanonicalUnitFor(glucose), "mg/dL");
  EXPECT_NEAR(*ToCanonicalUnit(glucose, 5.0, "mmol/L"), 5.0 * 18.0156, 1e-9);
}

TEST(LabUnitsTest, TestsWithoutARuleConvertThroughTheCatalogUnitAndMolarMass) {
  // Cortisol is not in the rule table; the catalog reports it in ug/dL.
  LabCoding cortisol = Coded("2143-6", "ug/dL", "Cortisol");
  EXPECT_EQ(CanonicalUnitFor(cortisol), "ug/dL");
  EXPECT_NEAR(*ToCanonicalUnit(cortisol, 50, "ng/mL"), 5.0, 1e-9);  // same kind, scale only
  // 138 nmol/L * 362.46 g/mol = 50.02 ug/L = 5.002 ug/dL
  EXPECT_NEAR(*ToCanonicalUnit(cortisol, 138, "nmol/L"), 138e-9 * 362.46 * 1e5, 1e-6);
  EXPECT_DOUBLE_EQ(*ToCanonicalUnit(cortisol, 12.5, "ug/dL"), 12.5);
}

TEST(LabUnitsTest, UnknownMissingOrIncompatibleUnitsStayAsPrinted) {
  LabCoding cortisol = Coded("2143-6", "ug/dL", "Cortisol");
  EXPECT_FALSE(ToCanonicalUnit(cortisol, 1, "widgets").has_value());
  EXPECT_FALSE(ToCanonicalUnit(cortisol, 1, "").has_value());
  EXPECT_FALSE(ToCanonicalUnit(cortisol, 1, "U/L").has_value());
  // Substance <-> mass needs the analyte's molar mass.
  EXPECT_FALSE(ToCanonicalUnit(Coded("9999-9", "ug/dL", "Unobtainium"), 1, "nmol/L").has_value());
  EXPECT_FALSE(ToCanonicalUnit(LabCoding{}, 1, "mg/dL").has_value());
}

TEST(LabUnitsTest, RuleCoderReportsCanonicalUnitAndComponent) {
  RuleLabCoder coder;
  LabCoding c = coder.Code("Glucose, Serum", "mmol/L", "");
  ASSERT_EQ(c.loinc_code, "2345-7");
  EXPECT_EQ(c.canonical_unit, "mg/dL");
  EXPECT_EQ(c.component, "Glucose");
}

}  // namespace
}  // namespace mlw::pipelines::labs
