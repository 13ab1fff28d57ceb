// Fits the confidence model and picks the auto-accept threshold from a synthetic calibration set
// built from the catalog itself, never from evaluation data:
//   seen      every catalog name with one of its units and (every other time) its specimen;
//   unseen    the same names with that name left out of the index, as if the report printed a
//             name the catalog does not list;
//   perturbed names with a typo or a dropped word;
//   novel     names of a code left out of the index entirely, so any answer is wrong: the model
//             must learn that a plausible-looking neighbour is not enough.
// An answer counts as correct when it is the generating code, or when the printed name is exactly
// one of the answer's catalog names with a compatible unit and specimen (then the report text
// cannot tell the two apart and the answer is a correct reading of it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mapping/confidence.h"
#include "mapping/mapping_engine.h"

namespace mlw::mapping {

struct CalibrationSample {
  ConfidenceFeatures features;
  bool correct = false;
  std::string kind;  // "seen" | "unseen" | "perturbed" | "novel"
};

struct ReliabilityBin {
  double lower = 0, upper = 0;  // confidence range
  size_t count = 0;
  double mean_confidence = 0;
  double accuracy = 0;
};

struct CalibrationReport {
  ConfidenceWeights weights{};
  double threshold = 0;            // smallest confidence with >= target precision above it
  double target_precision = 0;
  size_t samples = 0;
  double precision_at_threshold = 0;
  double coverage_at_threshold = 0;  // share of correct samples accepted
  double expected_calibration_error = 0;
  std::vector<ReliabilityBin> bins;
};

// Deterministic for a given engine and seed.
std::vector<CalibrationSample> GenerateCalibrationSet(const MappingEngine& engine, uint32_t seed);

// L2-regularised logistic regression by Newton's method.
ConfidenceWeights FitConfidenceWeights(const std::vector<CalibrationSample>& samples,
                                       double l2 = 1e-3);

// Evaluates `weights` on `samples`: reliability bins, ECE, and the threshold for the target
// precision (the lowest confidence such that every higher cut also meets the target).
CalibrationReport EvaluateCalibration(const std::vector<CalibrationSample>& samples,
                                      const ConfidenceWeights& weights,
                                      double target_precision = 0.99);

}  // namespace mlw::mapping
