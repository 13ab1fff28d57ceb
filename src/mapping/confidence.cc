#include "mapping/confidence.h"

#include <algorithm>
#include <cmath>

namespace mlw::mapping {

const ConfidenceWeights& DefaultConfidenceWeights() {
  // Output of `mlworker loinc calibrate` (seed 42) on the built-in catalog: bias, similarity,
  // clean exact match, margin to 0.08, margin beyond 0.08, unit, specimen. Re-run and update
  // when the catalog or the ranking changes; mapping_test checks these stay calibrated.
  static const ConfidenceWeights kWeights = {-0.90445, 0.11727, 3.64822, 1.37488, 3.56621, 0.88104, 0.10575};
  return kWeights;
}

std::array<double, kNumConfidenceWeights> FeatureVector(const ConfidenceFeatures& f) {
  constexpr double kKnee = 0.08;
  // An exact name match only counts when neither unit nor specimen contradicts the code.
  double clean_exact = f.exact > 0 && f.unit >= 0 && f.specimen >= 0 ? 1.0 : 0.0;
  return {1.0,
          f.similarity,
          clean_exact,
          std::clamp(f.margin, -0.5, kKnee),
          std::clamp(f.margin - kKnee, 0.0, 0.5),
          f.unit,
          f.specimen};
}

double Confidence(const ConfidenceFeatures& f, const ConfidenceWeights& w) {
  auto x = FeatureVector(f);
  double z = 0;
  for (int i = 0; i < kNumConfidenceWeights; ++i) z += w[i] * x[i];
  return 1.0 / (1.0 + std::exp(-z));
}

}  // namespace mlw::mapping
