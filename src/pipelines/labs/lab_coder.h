// The seam between the labs pipeline and the LOINC mapping engine (src/mapping, built separately):
// a LabCoder maps a test name as printed on a report, with its unit and specimen, to a LOINC code
// and a category. The pipeline only depends on this interface; RuleLabCoder is the built-in
// stand-in until the mapping engine lands.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlw::pipelines::labs {

enum class CodingStatus {
  kMatched,    // confident mapping
  kAmbiguous,  // a best guess among several candidates
  kUnmapped,   // no LOINC code; the test is aggregated under its normalized name
};

const char* CodingStatusName(CodingStatus status);

struct LabCoding {
  std::string loinc_code;  // "" when unmapped
  std::string loinc_name;
  std::string category;   // one of LabCategories()
  double confidence = 0;  // 0..1
  CodingStatus status = CodingStatus::kUnmapped;
  // The unit results of this code are normally reported in, and the LOINC component (the analyte,
  // for mass <-> substance conversions); empty when unknown.
  std::string canonical_unit;
  std::string component;
};

// The categories tests are sorted into: the mapping catalog's (mapping::Categories()), from
// complete_blood_count to blood_gases, and "other".
const std::vector<std::string_view>& LabCategories();

// Implementations must be thread-safe (Code is called from many workers at once).
class LabCoder {
 public:
  virtual ~LabCoder() = default;
  // `unit` and `specimen` may be empty. Never fails: an unknown test comes back kUnmapped with
  // category "other".
  virtual LabCoding Code(std::string_view name, std::string_view unit,
                         std::string_view specimen) const = 0;
};

// Lower-case, punctuation folded to single spaces, trimmed: "HbA1c (NGSP)" -> "hba1c ngsp".
// Aggregates of unmapped tests are keyed by "name:" + this.
std::string NormalizeTestName(std::string_view name);

}  // namespace mlw::pipelines::labs
