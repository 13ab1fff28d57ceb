#include "mapping/text_normalizer.h"

#include <gtest/gtest.h>

namespace mlw::mapping {
namespace {

TEST(NormalizerTest, FoldsCasePunctuationAndBritishSpellings) {
  EXPECT_EQ(Normalize("HAEMOGLOBIN").text, "hemoglobin");
  EXPECT_EQ(Normalize("Haemoglobin").key, Normalize("hemoglobin").key);
  EXPECT_EQ(Normalize("Serum oestradiol").text, "estradiol");
  EXPECT_EQ(Normalize("TOTAL LEUCOCYTE COUNT").text, "total leukocyte count");
  EXPECT_EQ(Normalize("DHEA - SULPHATE").key, Normalize("dhea sulfate").key);
  EXPECT_EQ(Normalize("Urine colour").text, "color");
  EXPECT_EQ(Normalize("Ionised calcium").text, "ionized calcium");
}

TEST(NormalizerTest, StripsSpecimenPrefixesIntoSpecimen) {
  NormalizedName s = Normalize("S. Creatinine");
  EXPECT_EQ(s.text, "creatinine");
  EXPECT_EQ(s.specimen, Specimen::kSerumPlasma);
  EXPECT_EQ(Normalize("Sr. Creatinine").text, "creatinine");
  EXPECT_EQ(Normalize("Serum creatinine").specimen, Specimen::kSerumPlasma);
  EXPECT_EQ(Normalize("Plasma glucose").text, "glucose");
  NormalizedName u = Normalize("URINE CREATININE");
  EXPECT_EQ(u.text, "creatinine");
  EXPECT_EQ(u.specimen, Specimen::kUrine);
  // Blood is weak evidence; urine outranks it.
  EXPECT_EQ(Normalize("Blood sugar").specimen, Specimen::kBlood);
  EXPECT_EQ(Normalize("Urine blood").specimen, Specimen::kUrine);
  EXPECT_EQ(Normalize("Urine blood").text, "blood");  // the analyte stays
}

TEST(NormalizerTest, CanonicalizesMethodWordsAndSymbols) {
  EXPECT_EQ(Normalize("LDL-CHOLESTEROL (CALC)").key, Normalize("LDL cholesterol calculated").key);
  EXPECT_EQ(Normalize("Neut%").text, "neut pct");
  EXPECT_EQ(Normalize("NEUT#").text, "neut abs");
  EXPECT_EQ(Normalize("Neutrophils absolute").key, Normalize("neutrophil abs").key);
  EXPECT_EQ(Normalize("HbA1c").text, "hba 1 c");
  EXPECT_EQ(Normalize("Hb").text, "hemoglobin");
  EXPECT_EQ(Normalize("CA 19.9").key, Normalize("CA 19-9").key);
  EXPECT_EQ(Normalize("µIU/mL").text, "uiu ml");
}

TEST(NormalizerTest, KeyIgnoresWordOrderAndFillers) {
  EXPECT_EQ(Normalize("CHOLESTEROL, TOTAL").key, Normalize("Total cholesterol").key);
  EXPECT_EQ(Normalize("Vitamin B12 level").key, Normalize("vitamin b 12").key);
  EXPECT_EQ(Normalize("Haemoglobin estimation").key, Normalize("hemoglobin").key);
  EXPECT_NE(Normalize("Vitamin A").key, Normalize("Vitamin").key);
}

TEST(NormalizerTest, EmptyAndGarbage) {
  EXPECT_TRUE(Normalize("").tokens.empty());
  EXPECT_TRUE(Normalize(" -- () ").tokens.empty());
  EXPECT_EQ(Normalize("???xq!!").text, "xq");
}

}  // namespace
}  // namespace mlw::mapping
