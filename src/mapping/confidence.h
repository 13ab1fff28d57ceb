// Calibrated confidence: a logistic model over a few features of the ranking, fitted on a synthetic
// calibration set generated from the catalog itself (calibration.h), so that "0.97" means "right
// about 97% of the time" on names like the catalog's. See docs/mapping.md for the derivation.
#pragma once

#include <array>

namespace mlw::mapping {

struct ConfidenceFeatures {
  double similarity = 0;  // text similarity of the candidate, 0..1 (1 = exact name match)
  double margin = 0;      // candidate score minus the best other candidate's score
  double exact = 0;       // 1 when the name matched a catalog name exactly after normalization
  double unit = 0;        // +1 unit matches the code, 0 no/unknown unit, -1 unit contradicts it
  double specimen = 0;    // +1 specimen matches, 0 unknown, -1 contradicts
};

// bias, similarity, exact without contradicting unit/specimen, margin up to 0.08, margin beyond 0.08, unit, specimen: the margin is
// piecewise linear because a few hundredths of score already separate most confusable codes.
inline constexpr int kNumConfidenceWeights = 7;
using ConfidenceWeights = std::array<double, kNumConfidenceWeights>;

// Weights fitted by `mlworker loinc calibrate` on the built-in catalog (docs/mapping.md).
const ConfidenceWeights& DefaultConfidenceWeights();

// Auto-accept threshold: the smallest confidence at which, on the calibration set, the accepted
// results reach 99% precision (chosen on the calibration set, never on evaluation data).
inline constexpr double kDefaultAutoAcceptThreshold = 0.89;

// Confidence given by a human-accepted synonym (review loop): it was verified, not inferred.
inline constexpr double kLearnedConfidence = 0.995;

std::array<double, kNumConfidenceWeights> FeatureVector(const ConfidenceFeatures& f);
double Confidence(const ConfidenceFeatures& f, const ConfidenceWeights& w);

}  // namespace mlw::mapping
