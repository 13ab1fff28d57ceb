// The seam the labs pipeline (and the HTTP API) use to turn a printed lab test name into a LOINC
// code and a category. Implemented by MappingEngine (mapping_engine.h).
#pragma once

#include <string>
#include <vector>

namespace mlw::mapping {

// A lab test as printed on a report. Only `name` is required; unit and specimen make the result
// more precise (mmol/L vs mg/dL codes, urine vs serum), `source` selects per-lab learned synonyms.
struct LabTestQuery {
  std::string name;      // e.g. "S. Creatinine", "HbA1c", "LDL-CHOLESTEROL (CALC)"
  std::string unit;      // as printed: "mg/dL", "umol/L", "x10^9/L", "%"; may be empty
  std::string specimen;  // as printed: "serum", "urine", "blood"; may be empty
  std::string source;    // lab/source identifier for per-source synonyms; may be empty
};

enum class MappingStatus {
  kMapped,       // confidence >= the auto-accept threshold: safe to store without review
  kNeedsReview,  // below the threshold (or no candidate): a human must pick among candidates
};

const char* MappingStatusName(MappingStatus status);  // "mapped" | "needs_review"

struct MappingCandidate {
  std::string loinc_code;
  std::string loinc_name;  // LOINC long common name
  std::string category;    // catalog category, e.g. "lipid_panel"
  double score = 0;        // ranking score (text similarity plus unit/specimen evidence)
  double confidence = 0;   // calibrated probability that this candidate is the right code
};

struct MappingResult {
  // The best candidate; empty strings when nothing plausible was found.
  std::string loinc_code;
  std::string loinc_name;
  std::string category;
  std::string canonical_unit;  // the unit results of this code are normally reported in
  std::string component;       // LOINC COMPONENT ("Glucose"): the analyte, for unit conversions
  // Calibrated probability (0..1) that loinc_code is correct. Values at or above the engine's
  // auto-accept threshold have been measured to be right at least 99% of the time.
  double confidence = 0;
  MappingStatus status = MappingStatus::kNeedsReview;
  // How the top candidate was found: "learned" (an accepted synonym), "exact" (a catalog name after
  // normalization), "fuzzy" (n-gram/token similarity) or "none".
  std::string match_type = "none";
  std::vector<MappingCandidate> candidates;  // best first, at most the requested top-k
};

// Thread-safety: implementations must allow concurrent Map() calls from many threads.
class LabTestMapper {
 public:
  virtual ~LabTestMapper() = default;
  LabTestMapper() = default;
  LabTestMapper(const LabTestMapper&) = delete;
  LabTestMapper& operator=(const LabTestMapper&) = delete;

  // Never fails: an unknown or garbage name yields status kNeedsReview with whatever candidates
  // exist (possibly none). `top_k` bounds result.candidates (at least 1 is used).
  virtual MappingResult Map(const LabTestQuery& query, int top_k = 5) const = 0;
};

}  // namespace mlw::mapping
