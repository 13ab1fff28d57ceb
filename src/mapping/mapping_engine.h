// The lab test -> LOINC mapping engine: normalization, candidate generation from an exact-name
// table and a token/trigram index, reranking with unit and specimen compatibility, a calibrated
// confidence, and a review loop of learned synonyms. docs/mapping.md describes the algorithm.
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "mapping/catalog.h"
#include "mapping/confidence.h"
#include "mapping/lab_test_mapper.h"
#include "mapping/text_index.h"
#include "mapping/units.h"

namespace mlw::mapping {

// A confirmed name -> code mapping from the review loop, global (empty source) or per lab source.
struct LearnedSynonym {
  std::string name;    // as printed
  std::string code;    // LOINC code (deprecated codes are resolved to their replacement)
  std::string unit;    // optional: the mapping applies only to results with this unit
  std::string source;  // optional: the mapping applies only to this lab/source
};

struct EngineOptions {
  double auto_accept_threshold = kDefaultAutoAcceptThreshold;
  ConfidenceWeights weights = DefaultConfidenceWeights();
};

// Evidence the ranking used for one candidate (exposed for calibration and explanations).
struct CandidateEvidence {
  uint32_t entry = 0;
  double similarity = 0;
  bool exact = false;
  int unit = 0;      // +1 / 0 / -1
  int specimen = 0;  // +1 / 0 / -1
  double score = 0;
  double margin = 0;
  double confidence = 0;
};

// Thread-safety: Map() may be called from many threads at once, also while AddSynonym() runs
// (learned synonyms sit behind a reader/writer lock; everything else is immutable after Create()).
class MappingEngine final : public LabTestMapper {
 public:
  static Result<std::unique_ptr<MappingEngine>> Create(Catalog catalog,
                                                       EngineOptions options = {});
  // The built-in catalog only.
  static Result<std::unique_ptr<MappingEngine>> CreateBuiltin(EngineOptions options = {});

  MappingResult Map(const LabTestQuery& query, int top_k = 5) const override;

  // Records a confirmed mapping so the same name (and unit/source when given) maps to `code` from
  // now on. Errors: InvalidArgument for an empty name, NotFound for a code not in the catalog.
  // Persisting it is the caller's job (CatalogStore::AddSynonym).
  Status AddSynonym(const LearnedSynonym& synonym);

  // Ranks candidates without learned synonyms, leaving out `exclusion` from the index; used by
  // calibration to simulate unseen names and codes. Returns candidates best first.
  std::vector<CandidateEvidence> Rank(const LabTestQuery& query,
                                      const TextIndex::Exclusion& exclusion) const;

  const Catalog& catalog() const { return catalog_; }
  double auto_accept_threshold() const { return options_.auto_accept_threshold; }
  size_t MemoryBytes() const;

 private:
  struct EntryInfo {
    std::vector<ParsedUnit> units;
    bool unitless_ok = false;  // reported without a unit (ordinal/nominal or "" in units)
    Specimen specimen = Specimen::kUnknown;
    double prior = 0;
  };

  MappingEngine(Catalog catalog, EngineOptions options);
  void BuildIndex();
  int UnitAgreement(const EntryInfo& info, const ParsedUnit& unit) const;
  static std::string LearnedKey(const std::string& source, const std::string& name_key,
                                const std::string& unit);
  MappingCandidate ToCandidate(const CandidateEvidence& e) const;

  Catalog catalog_;
  EngineOptions options_;
  std::vector<EntryInfo> info_;
  TextIndex index_;

  mutable std::shared_mutex learned_mu_;
  std::unordered_map<std::string, std::string> learned_;  // GUARDED_BY(learned_mu_)
};

}  // namespace mlw::mapping
