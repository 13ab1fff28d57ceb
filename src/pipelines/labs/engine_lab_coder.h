// The labs pipeline's LabCoder backed by the LOINC mapping engine (mapping/lab_test_mapper.h), so
// categorization and codes come from the engine's catalog, imports and learned synonyms. A result
// below the engine's auto-accept threshold is stored as "ambiguous" with the engine's best guess
// (or "unmapped" when it has none) — never as a confident match.
//
// Thread-safety: as the mapper (concurrent Code() calls are safe).
#pragma once

#include "mapping/lab_test_mapper.h"
#include "pipelines/labs/lab_coder.h"

namespace mlw::pipelines::labs {

class EngineLabCoder final : public LabCoder {
 public:
  // REQUIRES: `mapper` outlives this coder.
  explicit EngineLabCoder(const mapping::LabTestMapper& mapper) : mapper_(mapper) {}

  LabCoding Code(std::string_view name, std::string_view unit,
                 std::string_view specimen) const override;

 private:
  const mapping::LabTestMapper& mapper_;
};

}  // namespace mlw::pipelines::labs
