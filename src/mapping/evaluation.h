// Accuracy of a mapper on a labelled CSV (columns name, unit, specimen, loinc_code; optional
// category, source_style, source): top-1 and top-5 accuracy, and precision and coverage of the
// results at or above the auto-accept threshold, overall and per category and per source style.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "mapping/lab_test_mapper.h"

namespace mlw::mapping {

struct EvalCounts {
  size_t total = 0;
  size_t top1 = 0;
  size_t top5 = 0;
  size_t accepted = 0;          // status mapped
  size_t accepted_correct = 0;  // mapped and right
  double top1_accuracy() const { return total ? double(top1) / total : 0; }
  double top5_accuracy() const { return total ? double(top5) / total : 0; }
  double precision() const { return accepted ? double(accepted_correct) / accepted : 0; }
  double coverage() const { return total ? double(accepted) / total : 0; }
};

struct EvalMiss {
  size_t line = 0;
  std::string name, unit, specimen, expected, got;
  double confidence = 0;
  bool accepted = false;
};

struct EvalReport {
  EvalCounts overall;
  std::map<std::string, EvalCounts> by_category;
  std::map<std::string, EvalCounts> by_source_style;
  std::vector<EvalMiss> misses;  // wrong top-1 answers
};

enum class RowSubset { kAll, kEven, kOdd };  // data rows counted from 1

// Errors: NotFound / InvalidArgument (missing columns, broken CSV) naming the line.
Result<EvalReport> EvaluateFile(const LabTestMapper& mapper, const std::string& path,
                                RowSubset subset = RowSubset::kAll);

}  // namespace mlw::mapping
