#include "mapping/mapping_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace mlw::mapping {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = MappingEngine::CreateBuiltin();
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
  }
  MappingResult Map(const std::string& name, const std::string& unit = "",
                    const std::string& specimen = "", const std::string& source = "") {
    return engine_->Map(LabTestQuery{name, unit, specimen, source}, 5);
  }
  std::unique_ptr<MappingEngine> engine_;
};

TEST_F(EngineTest, MapsReportConventions) {
  EXPECT_EQ(Map("HAEMOGLOBIN", "g/dL", "blood").loinc_code, "718-7");
  EXPECT_EQ(Map("SGOT", "IU/L").loinc_code, "1920-8");
  EXPECT_EQ(Map("SGPT", "U/L").loinc_code, "1742-6");
  EXPECT_EQ(Map("S. Creatinine", "mg/dL").loinc_code, "2160-0");
  EXPECT_EQ(Map("TLC", "cells/cumm").loinc_code, "6690-2");
  EXPECT_EQ(Map("FBS", "mg/dL").loinc_code, "1558-6");
  EXPECT_EQ(Map("PPBS", "mg/dL").loinc_code, "1521-4");
  EXPECT_EQ(Map("TSH - ULTRASENSITIVE", "µIU/mL").loinc_code, "11580-8");
  EXPECT_EQ(Map("MEAN CORPUSCULAR VOLUME (MCV)", "fL").loinc_code, "787-2");
  MappingResult hb = Map("Hb", "g/dL");
  EXPECT_EQ(hb.category, "complete_blood_count");
  EXPECT_EQ(hb.status, MappingStatus::kMapped);
  EXPECT_EQ(hb.canonical_unit, "g/dL");
}

TEST_F(EngineTest, UnitPicksMassOrSubstanceCode) {
  EXPECT_EQ(Map("Cholesterol", "mg/dL").loinc_code, "2093-3");
  EXPECT_EQ(Map("Cholesterol", "mmol/L").loinc_code, "14647-2");
  EXPECT_EQ(Map("Glucose", "mg/dL").loinc_code, "2345-7");
  EXPECT_EQ(Map("Glucose", "mmol/L").loinc_code, "14749-6");
  EXPECT_EQ(Map("Creatinine", "umol/L").loinc_code, "14682-9");
  EXPECT_EQ(Map("Calculated LDL cholesterol", "mmol/L").loinc_code, "39469-2");
  EXPECT_EQ(Map("LDL-CHOLESTEROL (CALC)", "mg/dL").loinc_code, "13457-7");
  EXPECT_EQ(Map("Direct LDL", "mg/dL").loinc_code, "18262-6");
}

TEST_F(EngineTest, PercentVersusAbsoluteDifferential) {
  EXPECT_EQ(Map("Neutrophils", "%").loinc_code, "770-8");
  EXPECT_EQ(Map("Neutrophils", "x10^9/L").loinc_code, "751-8");
  EXPECT_EQ(Map("Lymphocytes", "cells/uL").loinc_code, "731-0");
  EXPECT_EQ(Map("Eosinophils", "%").loinc_code, "713-8");
}

TEST_F(EngineTest, SpecimenSeparatesUrineFromSerum) {
  EXPECT_EQ(Map("Glucose", "mg/dL", "urine").loinc_code, "5792-7");
  EXPECT_EQ(Map("Urine glucose", "mg/dL").loinc_code, "5792-7");
  EXPECT_EQ(Map("Glucose", "mg/dL", "serum").loinc_code, "2345-7");
  EXPECT_EQ(Map("Creatinine", "mg/dL", "urine").loinc_code, "2161-8");
  EXPECT_EQ(Map("RBC", "/HPF", "urine").loinc_code, "13945-1");
  EXPECT_EQ(Map("RBC", "mill/cumm", "blood").loinc_code, "789-8");
  // A unit that contradicts the code lowers the confidence of the urine code below auto-accept.
  MappingResult contradicted = Map("Urine glucose", "x10^9/L");
  EXPECT_EQ(contradicted.status, MappingStatus::kNeedsReview);
}

TEST_F(EngineTest, GarbageNeedsReviewNeverASilentGuess) {
  for (const char* name : {"xqzzy blorf", "asdfgh", "Patient comment", "", "???", "Test 123"}) {
    MappingResult r = Map(name);
    EXPECT_EQ(r.status, MappingStatus::kNeedsReview) << name;
    EXPECT_LT(r.confidence, engine_->auto_accept_threshold()) << name;
  }
  EXPECT_TRUE(Map("").candidates.empty());
}

TEST_F(EngineTest, ReturnsTopKCandidatesWithScores) {
  MappingResult r = engine_->Map(LabTestQuery{"Bilirubin", "mg/dL", "", ""}, 3);
  ASSERT_EQ(r.candidates.size(), 3u);
  EXPECT_EQ(r.candidates[0].loinc_code, r.loinc_code);
  EXPECT_GE(r.candidates[0].score, r.candidates[1].score);
  EXPECT_GE(r.candidates[1].score, r.candidates[2].score);
}

TEST_F(EngineTest, LearnedSynonymsGlobalAndPerSource) {
  EXPECT_NE(Map("Creat Jaffe").status, MappingStatus::kMapped);
  ASSERT_TRUE(engine_->AddSynonym({"Creat Jaffe", "2160-0", "", "lab-a"}).ok());
  MappingResult a = Map("CREAT JAFFE", "", "", "lab-a");
  EXPECT_EQ(a.loinc_code, "2160-0");
  EXPECT_EQ(a.status, MappingStatus::kMapped);
  EXPECT_EQ(a.match_type, "learned");
  EXPECT_NE(Map("CREAT JAFFE", "", "", "lab-b").match_type, "learned");

  ASSERT_TRUE(engine_->AddSynonym({"Sugar F", "1558-6", "mg/dL", ""}).ok());
  EXPECT_EQ(Map("sugar f", "mg/dL", "", "any-lab").loinc_code, "1558-6");
  EXPECT_NE(Map("sugar f", "mmol/L").match_type, "learned");  // unit-scoped

  EXPECT_EQ(engine_->AddSynonym({"x", "99999-9", "", ""}).code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->AddSynonym({"--", "2160-0", "", ""}).code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, DeprecatedCodesResolveToReplacements) {
  Catalog c = *Catalog::Builtin().value();
  c.AddReplacement("1-8", "2345-7");
  auto e = MappingEngine::Create(std::move(c));
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE((*e)->AddSynonym({"Old glucose", "1-8", "", ""}).ok());
  EXPECT_EQ((*e)->Map(LabTestQuery{"Old glucose", "", "", ""}).loinc_code, "2345-7");
}

TEST_F(EngineTest, ConcurrentMapAndLearn) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        if (Map("SGPT", "U/L").loinc_code != "1742-6") ++wrong;
        if (t == 0 && i % 50 == 0) {
          (void)engine_->AddSynonym({"custom " + std::to_string(i), "718-7", "", ""});
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(Map("custom 250").loinc_code, "718-7");
}

}  // namespace
}  // namespace mlw::mapping
