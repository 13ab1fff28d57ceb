#include "mapping/confidence.h"

#include <algorithm>
#include <cmath>

namespace mlw::mapping {

const ConfidenceWeights& DefaultConfidenceWeights() {
  // bias, similarity, margin, exact, unit, specimen
  static const ConfidenceWeights kWeights = {-6.0, 5.0, 12.0, 2.0, 1.0, 1.0};
  return kWeights;
}

std::array<double, kNumConfidenceWeights> FeatureVector(const ConfidenceFeatures& f) {
  return {1.0, f.similarity, std::clamp(f.margin, -1.0, 1.0), f.exact, f.unit, f.specimen};
}

double Confidence(const ConfidenceFeatures& f, const ConfidenceWeights& w) {
  auto x = FeatureVector(f);
  double z = 0;
  for (int i = 0; i < kNumConfidenceWeights; ++i) z += w[i] * x[i];
  return 1.0 / (1.0 + std::exp(-z));
}

}  // namespace mlw::mapping
