#include "pipelines/labs/lab_result.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "pipelines/labs/rule_lab_coder.h"

namespace mlw::pipelines::labs {
namespace {

TEST(LabValueTest, ParsesNumbersCensoredValuesAndWords) {
  auto n = ParseLabValue(" 5.4 ");
  ASSERT_TRUE(n.ok());
  EXPECT_DOUBLE_EQ(*n->number, 5.4);
  EXPECT_EQ(n->comparator, "");
  auto c = ParseLabValue("<0.1");
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(*c->number, 0.1);
  EXPECT_EQ(c->comparator, "<");
  auto ge = ParseLabValue("\xE2\x89\xA5 90");
  ASSERT_TRUE(ge.ok());
  EXPECT_EQ(ge->comparator, ">=");
  auto q = ParseLabValue("Positive");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->number.has_value());
  EXPECT_EQ(q->text, "Positive");
  EXPECT_FALSE(ParseLabValue("  ").ok());
  EXPECT_FALSE(ParseLabValue("< high").ok());
}

TEST(ReferenceRangeTest, ParsesThePrintedForms) {
  auto a = ParseReferenceRange("13.5-17.5");
  ASSERT_TRUE(a.ok());
  EXPECT_DOUBLE_EQ(*a->low, 13.5);
  EXPECT_DOUBLE_EQ(*a->high, 17.5);
  auto b = ParseReferenceRange("<200");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->low.has_value());
  EXPECT_FALSE(b->high_inclusive);
  auto c = ParseReferenceRange(">=40");
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(*c->low, 40);
  EXPECT_TRUE(c->low_inclusive);
  auto d = ParseReferenceRange("Negative");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->qualitative, "Negative");
  auto e = ParseReferenceRange("0.4 \xE2\x80\x93 4.0");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_DOUBLE_EQ(*e->high, 4.0);
  auto f = ParseReferenceRange("-2 - 2");
  ASSERT_TRUE(f.ok());
  EXPECT_DOUBLE_EQ(*f->low, -2);
  auto g = ParseReferenceRange("3.5 to 5.0");
  ASSERT_TRUE(g.ok());
  EXPECT_DOUBLE_EQ(*g->low, 3.5);
  EXPECT_FALSE(ParseReferenceRange("17.5-13.5").ok());
  EXPECT_FALSE(ParseReferenceRange("see note 4").ok());
  EXPECT_FALSE(ParseReferenceRange("see note").ok());
  EXPECT_EQ(ParseReferenceRange("Not Detected")->qualitative, "Not Detected");
  EXPECT_FALSE(ParseReferenceRange("<").ok());
}

TEST(ReferenceRangeTest, AcceptsAPrintedUnitParenthesesAndSpelledComparators) {
  auto a = ParseReferenceRange("0.4-4.0 mIU/L");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_DOUBLE_EQ(*a->low, 0.4);
  EXPECT_DOUBLE_EQ(*a->high, 4.0);
  EXPECT_EQ(a->unit, "mIU/L");
  auto b = ParseReferenceRange("(3.5 - 5.0 g/dL)");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_DOUBLE_EQ(*b->low, 3.5);
  EXPECT_EQ(b->unit, "g/dL");
  auto c = ParseReferenceRange("<200 mg/dL");
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(*c->high, 200);
  EXPECT_EQ(c->unit, "mg/dL");
  auto d = ParseReferenceRange(">= 60 mL/min/1.73m2");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_DOUBLE_EQ(*d->low, 60);
  EXPECT_EQ(d->unit, "mL/min/1.73m2");
  auto e = ParseReferenceRange("4.5-11.0 10^9/L");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->unit, "10^9/L");
  auto f = ParseReferenceRange("Up to 5.7 %");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_DOUBLE_EQ(*f->high, 5.7);
  EXPECT_TRUE(f->high_inclusive);
  EXPECT_EQ(f->unit, "%");
  auto g = ParseReferenceRange("less than 150");
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->high_inclusive);
  EXPECT_TRUE(ParseReferenceRange("[12-16]").ok());
  EXPECT_EQ(ParseReferenceRange("13.5-17.5")->unit, "");
  // Notes after the bounds are not units; the error names the accepted forms.
  auto note = ParseReferenceRange("13.5-17.5 (adult male)");
  ASSERT_FALSE(note.ok());
  EXPECT_NE(note.status().message().find("0.4-4.0 mIU/L"), std::string::npos);
  EXPECT_FALSE(ParseReferenceRange("5-").ok());
  EXPECT_FALSE(ParseReferenceRange("up to").ok());
}

TEST(FlagTest, NormalizesGivenFlagsAndDerivesMissingOnes) {
  EXPECT_EQ(NormalizeFlag("H"), "high");
  EXPECT_EQ(NormalizeFlag("LL"), "low");
  EXPECT_EQ(NormalizeFlag("*"), "abnormal");
  EXPECT_EQ(NormalizeFlag("Critical High"), "high");
  EXPECT_FALSE(NormalizeFlag("maybe").has_value());
  auto v = [](const char* s) { return ParseLabValue(s).value(); };
  auto r = [](const char* s) { return ParseReferenceRange(s).value(); };
  EXPECT_EQ(DeriveFlag(v("12.9"), r("13.5-17.5")), "low");
  EXPECT_EQ(DeriveFlag(v("17.5"), r("13.5-17.5")), "normal");
  EXPECT_EQ(DeriveFlag(v("200"), r("<200")), "high");
  EXPECT_EQ(DeriveFlag(v("40"), r(">=40")), "normal");
  EXPECT_EQ(DeriveFlag(v("Positive"), r("Negative")), "abnormal");
  EXPECT_EQ(DeriveFlag(v("negative"), r("Negative")), "normal");
  EXPECT_FALSE(DeriveFlag(v("5"), r("Negative")).has_value());
  EXPECT_FALSE(DeriveFlag(v("Positive"), ReferenceRange{}).has_value());
}

TEST(LabUnitsTest, ConvertsToTheCanonicalUnit) {
  const LabTestRule* glucose = FindLabRule("2345-7");
  ASSERT_NE(glucose, nullptr);
  EXPECT_NEAR(*ToCanonical(*glucose, 5.5, "mmol/L"), 99.0858, 1e-9);
  EXPECT_DOUBLE_EQ(*ToCanonical(*glucose, 99, "mg/dl"), 99);
  EXPECT_FALSE(ToCanonical(*glucose, 5.5, "g/L").has_value());
  const LabTestRule* creat = FindLabRule("2160-0");
  EXPECT_NEAR(*ToCanonical(*creat, 88.42, "\xC2\xB5mol/L"), 1.0, 1e-12);
  const LabTestRule* wbc = FindLabRule("6690-2");
  EXPECT_DOUBLE_EQ(*ToCanonical(*wbc, 6.1, "x10^9/L"), 6.1);
  const LabTestRule* a1c = FindLabRule("4548-4");
  EXPECT_NEAR(*ToCanonical(*a1c, 48, "mmol/mol"), 6.543, 1e-3);
}

TEST(RuleLabCoderTest, CodesCommonSpellingsAndLeavesUnknownsUnmapped) {
  RuleLabCoder coder;
  auto hb = coder.Code("Hemoglobin", "g/dL", "");
  EXPECT_EQ(hb.loinc_code, "718-7");
  EXPECT_EQ(hb.category, "complete_blood_count");
  EXPECT_EQ(hb.status, CodingStatus::kMatched);
  EXPECT_EQ(coder.Code("Glucose, Serum", "mg/dL", "").loinc_code, "2345-7");
  EXPECT_EQ(coder.Code("Glucose", "", "Urine").loinc_code, "5792-7");
  EXPECT_EQ(coder.Code("Urine Glucose", "", "").category, "urinalysis");
  auto ldl = coder.Code("LDL Cholesterol (calc)", "mg/dL", "");
  EXPECT_EQ(ldl.loinc_code, "13457-7");
  EXPECT_EQ(ldl.status, CodingStatus::kAmbiguous);
  EXPECT_EQ(coder.Code("HDL-C", "", "").loinc_code, "2085-9");
  EXPECT_EQ(coder.Code("TSH", "uIU/mL", "").category, "thyroid");
  auto unknown = coder.Code("Zonulin", "ng/mL", "");
  EXPECT_EQ(unknown.status, CodingStatus::kUnmapped);
  EXPECT_EQ(unknown.category, "other");
  EXPECT_EQ(NormalizeTestName("  HbA1c (NGSP)!"), "hba1c ngsp");
}

TEST(RuleLabCoderTest, EveryRuleUsesARealLoincCodeAndAKnownCategory) {
  std::set<std::string_view> categories(LabCategories().begin(), LabCategories().end());
  for (const auto& rule : LabTestRules())
    EXPECT_TRUE(categories.count(rule.category)) << rule.loinc_code;
  const char* env = std::getenv("MLW_SHARED_DIR");
  std::string path;
  for (std::string base : {env ? std::string(env) : std::string(), std::string("/work/shared")}) {
    if (!base.empty() && std::filesystem::exists(base + "/data/loinc/loinc_codes_components.csv")) {
      path = base + "/data/loinc/loinc_codes_components.csv";
      break;
    }
  }
  if (path.empty()) GTEST_SKIP() << "LOINC table not available";
  std::set<std::string> codes;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) codes.insert(line.substr(0, line.find(',')));
  for (const auto& rule : LabTestRules()) {
    EXPECT_TRUE(codes.count(std::string(rule.loinc_code))) << rule.loinc_code;
  }
}

}  // namespace
}  // namespace mlw::pipelines::labs
