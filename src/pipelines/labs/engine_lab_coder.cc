#include "pipelines/labs/engine_lab_coder.h"

#include <algorithm>

namespace mlw::pipelines::labs {
namespace {

// The engine's category vocabulary is the pipeline's, except where the engine is more specific
// than the pipeline's list; anything unknown is "other".
std::string PipelineCategory(const std::string& category) {
  const auto& known = LabCategories();
  if (std::find(known.begin(), known.end(), category) != known.end()) return category;
  return "other";
}

}  // namespace

LabCoding EngineLabCoder::Code(std::string_view name, std::string_view unit,
                               std::string_view specimen) const {
  mapping::LabTestQuery query;
  query.name = std::string(name);
  query.unit = std::string(unit);
  query.specimen = std::string(specimen);
  mapping::MappingResult result = mapper_.Map(query, 1);
  LabCoding coding;
  coding.confidence = result.confidence;
  if (result.loinc_code.empty()) {
    coding.status = CodingStatus::kUnmapped;
    coding.category = "other";
    return coding;
  }
  coding.loinc_code = result.loinc_code;
  coding.loinc_name = result.loinc_name;
  coding.category = PipelineCategory(result.category);
  coding.canonical_unit = result.canonical_unit;
  coding.component = result.component;
  coding.status = result.status == mapping::MappingStatus::kMapped ? CodingStatus::kMatched
                                                                   : CodingStatus::kAmbiguous;
  return coding;
}

}  // namespace mlw::pipelines::labs
