#include "mapping/units.h"

#include <gtest/gtest.h>

namespace mlw::mapping {
namespace {

TEST(UnitsTest, ParsesReportSpellings) {
  EXPECT_EQ(ParseUnit("mg/dL").kind, UnitKind::kMassConc);
  EXPECT_EQ(ParseUnit("mg%").kind, UnitKind::kMassConc);
  EXPECT_EQ(ParseUnit("mmol/L").kind, UnitKind::kSubstanceConc);
  EXPECT_EQ(ParseUnit("µmol/L").kind, UnitKind::kSubstanceConc);
  EXPECT_EQ(ParseUnit("mEq/L").kind, UnitKind::kSubstanceConc);
  EXPECT_EQ(ParseUnit("x10^9/L").kind, UnitKind::kNumberConc);
  EXPECT_EQ(ParseUnit("cells/cumm").kind, UnitKind::kNumberConc);
  EXPECT_EQ(ParseUnit("lakhs/cumm").kind, UnitKind::kNumberConc);
  EXPECT_EQ(ParseUnit("%").kind, UnitKind::kFraction);
  EXPECT_EQ(ParseUnit("µIU/mL").kind, UnitKind::kArbitraryConc);
  EXPECT_EQ(ParseUnit("U/L").kind, UnitKind::kArbitraryConc);
  EXPECT_EQ(ParseUnit("fL").kind, UnitKind::kEntVolume);
  EXPECT_EQ(ParseUnit("mm/hr").kind, UnitKind::kVelocity);
  EXPECT_EQ(ParseUnit("mL/min/1.73m2").kind, UnitKind::kFlowPerArea);
  EXPECT_EQ(ParseUnit("mg/g creat").kind, UnitKind::kMassRatio);
  EXPECT_EQ(ParseUnit("/hpf").kind, UnitKind::kNumberArea);
  EXPECT_EQ(ParseUnit("mmol/mol").kind, UnitKind::kSubstanceFraction);
  EXPECT_EQ(ParseUnit("furlongs").kind, UnitKind::kUnknown);
  EXPECT_EQ(ParseUnit("").kind, UnitKind::kUnknown);
}

TEST(UnitsTest, SameUnitAcrossSpellings) {
  EXPECT_TRUE(SameUnit(ParseUnit("x10^9/L"), ParseUnit("10*3/uL")));
  EXPECT_TRUE(SameUnit(ParseUnit("thou/cumm"), ParseUnit("10^3/µL")));
  EXPECT_TRUE(SameUnit(ParseUnit("x10^12/L"), ParseUnit("mill/cumm")));
  EXPECT_TRUE(SameUnit(ParseUnit("gm%"), ParseUnit("g/dL")));
  EXPECT_TRUE(SameUnit(ParseUnit("mcg/dL"), ParseUnit("ug/dL")));
  EXPECT_TRUE(SameUnit(ParseUnit("ng/mL"), ParseUnit("ug/L")));
  EXPECT_FALSE(SameUnit(ParseUnit("mg/dL"), ParseUnit("mg/L")));
  EXPECT_FALSE(SameUnit(ParseUnit("mEq/L"), ParseUnit("mmol/L")));
}

TEST(UnitsTest, ConvertsWithMolarMasses) {
  auto glucose = AnalyteForComponent("Glucose");
  ASSERT_TRUE(glucose);
  EXPECT_NEAR(ConvertValue(90, "mg/dL", "mmol/L", glucose).value(), 4.9957, 1e-3);
  EXPECT_NEAR(ConvertValue(5.5, "mmol/L", "mg/dL", glucose).value(), 99.086, 1e-2);
  auto creat = AnalyteForComponent("Creatinine");
  EXPECT_NEAR(ConvertValue(1.0, "mg/dL", "umol/L", creat).value(), 88.40, 0.02);
  EXPECT_NEAR(ConvertValue(200, "mg/dL", "mmol/L", AnalyteForComponent("Cholesterol")).value(),
              5.1726, 1e-3);
  EXPECT_NEAR(ConvertValue(150, "mg/dL", "mmol/L", AnalyteForComponent("Triglyceride")).value(),
              1.6936, 1e-3);
  EXPECT_NEAR(ConvertValue(14, "mg/dL", "mmol/L", AnalyteForComponent("Urea nitrogen")).value(),
              4.9975, 1e-3);  // BUN counts two nitrogen atoms per urea
  auto calcium = AnalyteForComponent("Calcium");
  EXPECT_NEAR(ConvertValue(10, "mg/dL", "mmol/L", calcium).value(), 2.4951, 1e-3);
  EXPECT_NEAR(ConvertValue(2.5, "mmol/L", "mEq/L", calcium).value(), 5.0, 1e-9);
  EXPECT_NEAR(ConvertValue(140, "mEq/L", "mmol/L", AnalyteForComponent("Sodium")).value(), 140,
              1e-9);
}

TEST(UnitsTest, ConvertsWithinAKindWithoutAnalyte) {
  EXPECT_NEAR(ConvertValue(7.5, "x10^9/L", "/uL").value(), 7500, 1e-6);
  EXPECT_NEAR(ConvertValue(2.5, "lakhs/cumm", "10^3/uL").value(), 250, 1e-9);
  EXPECT_NEAR(ConvertValue(13.5, "g/dL", "g/L").value(), 135, 1e-9);
  EXPECT_NEAR(ConvertValue(1.2, "ng/mL", "pg/mL").value(), 1200, 1e-9);
  EXPECT_NEAR(ConvertValue(40, "mmHg", "kPa").value(), 5.3329, 1e-3);
}

TEST(UnitsTest, RefusesWhatCannotBeConverted) {
  EXPECT_FALSE(ConvertValue(1, "mg/dL", "mmol/L").ok());  // no analyte
  EXPECT_FALSE(ConvertValue(1, "mg/dL", "%").ok());
  EXPECT_FALSE(ConvertValue(1, "furlongs", "mg/dL").ok());
  EXPECT_EQ(ConvertValue(1, "mg/dL", "U/L").status().code(), StatusCode::kInvalidArgument);
}

TEST(UnitsTest, HbA1cMasterEquation) {
  EXPECT_NEAR(HbA1cPercentToMmolPerMol(6.5), 47.5, 0.1);
  EXPECT_NEAR(HbA1cMmolPerMolToPercent(HbA1cPercentToMmolPerMol(7.2)), 7.2, 1e-9);
}

}  // namespace
}  // namespace mlw::mapping
