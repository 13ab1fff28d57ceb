#include "mapping/calibration.h"

#include <gtest/gtest.h>

namespace mlw::mapping {
namespace {

TEST(CalibrationTest, CompiledInWeightsStayCalibrated) {
  auto engine = MappingEngine::CreateBuiltin();
  ASSERT_TRUE(engine.ok());
  std::vector<CalibrationSample> samples = GenerateCalibrationSet(**engine, 42);
  ASSERT_GT(samples.size(), 5000u);
  CalibrationReport r = EvaluateCalibration(samples, DefaultConfidenceWeights(), 0.99);
  EXPECT_LT(r.expected_calibration_error, 0.06);
  // The compiled-in threshold must still be the 99%-precision cut of the calibration set.
  EXPECT_NEAR(r.threshold, kDefaultAutoAcceptThreshold, 0.03);
  CalibrationReport fitted = EvaluateCalibration(samples, FitConfidenceWeights(samples), 0.99);
  EXPECT_LE(r.expected_calibration_error, fitted.expected_calibration_error + 0.01);
}

TEST(CalibrationTest, HighConfidenceIsReliableOnAnotherSeed) {
  auto engine = MappingEngine::CreateBuiltin();
  ASSERT_TRUE(engine.ok());
  std::vector<CalibrationSample> samples = GenerateCalibrationSet(**engine, 7);
  size_t accepted = 0, correct = 0;
  for (const CalibrationSample& s : samples) {
    if (Confidence(s.features, DefaultConfidenceWeights()) >= kDefaultAutoAcceptThreshold) {
      ++accepted;
      correct += s.correct;
    }
  }
  ASSERT_GT(accepted, 1000u);
  EXPECT_GE(double(correct) / accepted, 0.985);
}

TEST(CalibrationTest, FitRecoversASeparableSignal) {
  std::vector<CalibrationSample> samples;
  for (int i = 0; i < 400; ++i) {
    CalibrationSample s;
    s.features.similarity = (i % 100) / 100.0;
    s.correct = s.features.similarity > 0.5;
    samples.push_back(s);
  }
  ConfidenceWeights w = FitConfidenceWeights(samples, 1e-4);
  ConfidenceFeatures hi{0.9, 0, 0, 0, 0}, lo{0.1, 0, 0, 0, 0};
  EXPECT_GT(Confidence(hi, w), 0.9);
  EXPECT_LT(Confidence(lo, w), 0.1);
}

}  // namespace
}  // namespace mlw::mapping
