#include "mapping/mapping_engine.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "mapping/text_normalizer.h"

namespace mlw::mapping {
namespace {

// Reranking weights, added to the text similarity (0..1). They encode what a lab professional
// knows: a contradicting unit or specimen rules a code out; a matching one confirms it; with no
// specimen on the report a blood-derived specimen is the norm; curated report names beat names
// derived from the LOINC table; a "preferred" code wins ties among codes sharing a name.
constexpr double kUnitMatch = 0.12;
constexpr double kUnitSameKind = 0.08;
constexpr double kUnitConflict = -0.40;
constexpr double kUnitlessMatch = 0.03;
constexpr double kSpecimenMatch = 0.10;
constexpr double kSpecimenConflict = -0.40;
constexpr double kDefaultSpecimen = 0.10;
constexpr double kPreferred = 0.04;
constexpr double kCurated = 0.06;
constexpr double kCommonRank = 0.02;
constexpr size_t kFuzzyHits = 16;
constexpr double kMinSimilarity = 0.25;
// A part matching alone scores at most 0.95, leaving a gap larger than kPreferred to a match on
// the whole printed name.
constexpr double kPartDiscount = 0.85;
constexpr double kPartShareBonus = 0.10;

// "MEAN CORPUSCULAR VOLUME (MCV)" -> {"MEAN CORPUSCULAR VOLUME", "MCV"}; empty without brackets.
std::vector<std::string> ParentheticalParts(const std::string& name) {
  std::vector<std::string> parts;
  std::string outside, inside;
  int depth = 0;
  for (char c : name) {
    if (c == '(' || c == '[') {
      ++depth;
      inside.push_back(' ');
    } else if ((c == ')' || c == ']') && depth > 0) {
      --depth;
      inside.push_back(' ');
    } else if (depth > 0) {
      inside.push_back(c);
    } else {
      outside.push_back(c);
    }
  }
  if (inside.empty()) return parts;
  parts.push_back(outside);
  parts.push_back(inside);
  return parts;
}

}  // namespace

const char* MappingStatusName(MappingStatus status) {
  return status == MappingStatus::kMapped ? "mapped" : "needs_review";
}

MappingEngine::MappingEngine(Catalog catalog, EngineOptions options)
    : catalog_(std::move(catalog)), options_(options) {}

Result<std::unique_ptr<MappingEngine>> MappingEngine::Create(Catalog catalog,
                                                             EngineOptions options) {
  if (catalog.size() == 0) return InvalidArgument("cannot build a mapping engine: empty catalog");
  if (!(options.auto_accept_threshold > 0 && options.auto_accept_threshold <= 1)) {
    return InvalidArgument("auto_accept_threshold must be in (0, 1]");
  }
  std::unique_ptr<MappingEngine> engine(new MappingEngine(std::move(catalog), options));
  engine->BuildIndex();
  return engine;
}

Result<std::unique_ptr<MappingEngine>> MappingEngine::CreateBuiltin(EngineOptions options) {
  MLW_ASSIGN_OR_RETURN(const Catalog* builtin, Catalog::Builtin());
  return Create(*builtin, options);
}

void MappingEngine::BuildIndex() {
  const auto& entries = catalog_.entries();
  info_.resize(entries.size());
  for (uint32_t i = 0; i < entries.size(); ++i) {
    const CatalogEntry& e = entries[i];
    EntryInfo& info = info_[i];
    for (const std::string& u : e.units) {
      if (u.empty()) {
        info.unitless_ok = true;
        continue;
      }
      info.units.push_back(ParseUnit(u));
    }
    if (e.scale == "Ord" || e.scale == "Nom") info.unitless_ok = true;
    info.specimen = SpecimenOfSystem(e.system);
    info.prior = (e.preferred ? kPreferred : 0) + (e.curated ? kCurated : 0) +
                 (e.common_rank > 0 && e.common_rank <= 3000 ? kCommonRank : 0);
    std::vector<std::string> seen;
    auto add = [&](const std::string& name) {
      NormalizedName n = Normalize(name);
      if (n.tokens.empty()) return;
      if (std::find(seen.begin(), seen.end(), n.key) != seen.end()) return;
      seen.push_back(n.key);
      index_.Add(n, i);
    };
    for (const std::string& name : e.names) add(name);
    // The LOINC long name and component are names too, so codes without curated names are found.
    if (!e.curated) {
      add(e.long_name);
      add(e.component);
    }
  }
  index_.Finish();
}

int MappingEngine::UnitAgreement(const EntryInfo& info, const ParsedUnit& unit) const {
  if (unit.cleaned.empty()) return 0;
  bool same_kind = false;
  for (const ParsedUnit& u : info.units) {
    if (SameUnit(u, unit)) return 2;
    if (unit.kind != UnitKind::kUnknown && u.kind == unit.kind) same_kind = true;
  }
  if (same_kind) return 1;
  if (unit.kind == UnitKind::kUnknown) return 0;  // cannot judge an unrecognised unit
  if (info.units.empty() && info.unitless_ok) {
    // A qualitative code with a printed unit: only dimensionless "units" are compatible.
    return unit.kind == UnitKind::kDimensionless ? 0 : -1;
  }
  if (info.units.empty()) return 0;  // imported code without example units
  return -1;
}

MappingEngine::Prepared MappingEngine::Prepare(const LabTestQuery& query) {
  Prepared p;
  p.name = Normalize(query.name);
  p.unit = ParseUnit(query.unit);
  if (!query.specimen.empty()) p.specimen = ParseSpecimen(query.specimen);
  // The name's specimen counts when the field says nothing, or only the vague "blood".
  if (p.specimen == Specimen::kUnknown ||
      (p.specimen == Specimen::kBlood && p.name.specimen != Specimen::kUnknown)) {
    p.specimen = p.name.specimen;
  }
  return p;
}

std::vector<CandidateEvidence> MappingEngine::Rank(const LabTestQuery& query,
                                                   const TextIndex::Exclusion& exclusion) const {
  return RankPrepared(query, Prepare(query), exclusion);
}

std::vector<CandidateEvidence> MappingEngine::RankPrepared(
    const LabTestQuery& query, const Prepared& p, const TextIndex::Exclusion& exclusion) const {
  std::vector<CandidateEvidence> out;
  const NormalizedName& name = p.name;
  if (name.tokens.empty()) return out;
  const Specimen specimen = p.specimen;
  const ParsedUnit& unit = p.unit;

  // Candidates are few (tens), so a linear scan beats a hash map here.
  auto consider = [&](uint32_t doc, double similarity, bool exact) {
    uint32_t entry = index_.payload(doc);
    auto it = std::find_if(out.begin(), out.end(),
                           [entry](const CandidateEvidence& c) { return c.entry == entry; });
    if (it == out.end()) {
      out.push_back(CandidateEvidence{});
      out.back().entry = entry;
      it = out.end() - 1;
    }
    CandidateEvidence& c = *it;
    if (similarity > c.similarity) {
      c.similarity = similarity;
      c.exact = exact;
    }
  };
  // Reports often print "Full name (ABBR)" or "Name (method)": the parts are searched too, at a
  // small discount so a match on the whole text wins over a match on a part.
  std::vector<std::pair<NormalizedName, double>> variants;
  variants.emplace_back(name, 1.0);
  for (const std::string& part : ParentheticalParts(query.name)) {
    NormalizedName n = Normalize(part);
    if (n.tokens.empty() || n.key == name.key) continue;
    // The discount shrinks with the share of the printed words the part keeps, so the more
    // specific part ("... RATE - WESTERGREN" vs "(ESR)") decides when the parts disagree.
    double share = std::min(1.0, static_cast<double>(n.tokens.size()) / name.tokens.size());
    variants.emplace_back(std::move(n), kPartDiscount + kPartShareBonus * share);
  }
  std::vector<TextIndex::Hit> hits;
  for (const auto& [variant, discount] : variants) {
    const std::vector<uint32_t>* docs = index_.ExactDocs(variant.key);
    if (docs != nullptr &&
        (exclusion.key_hash == 0 || TextIndex::KeyHash(variant.key) != exclusion.key_hash)) {
      for (uint32_t doc : *docs) {
        if (index_.payload(doc) != exclusion.payload) consider(doc, discount, true);
      }
    }
    index_.Search(variant, kFuzzyHits, &hits, exclusion);
    for (const TextIndex::Hit& h : hits) {
      double sim = std::min(h.similarity, 0.99f) * discount;
      if (sim >= kMinSimilarity) consider(h.doc, sim, false);
    }
  }

  for (CandidateEvidence& c : out) {
    const EntryInfo& info = info_[c.entry];
    double score = c.similarity + info.prior;
    int u = UnitAgreement(info, unit);
    if (u == 2) {
      score += kUnitMatch;
    } else if (u == 1) {
      score += kUnitSameKind;
    } else if (u < 0) {
      score += kUnitConflict;
    } else if (unit.cleaned.empty() && info.unitless_ok) {
      score += kUnitlessMatch;
    }
    c.unit = u > 0 ? 1 : u;
    int s = SpecimenAgreement(specimen, info.specimen);
    if (s > 0) score += kSpecimenMatch;
    if (s < 0) score += kSpecimenConflict;
    if (s == 0 && (specimen == Specimen::kUnknown || specimen == Specimen::kBlood) &&
        IsDefaultSpecimen(info.specimen)) {
      score += kDefaultSpecimen;
    }
    c.specimen = s;
    c.score = score;
  }
  std::sort(out.begin(), out.end(), [this](const CandidateEvidence& a, const CandidateEvidence& b) {
    if (a.score != b.score) return a.score > b.score;
    return catalog_.entries()[a.entry].code < catalog_.entries()[b.entry].code;
  });
  for (size_t i = 0; i < out.size(); ++i) {
    double other = 0;
    if (out.size() > 1) other = i == 0 ? out[1].score : out[0].score;
    out[i].margin = out[i].score - other;
    ConfidenceFeatures f{out[i].similarity, out[i].margin, out[i].exact ? 1.0 : 0.0,
                         static_cast<double>(out[i].unit), static_cast<double>(out[i].specimen)};
    out[i].confidence = Confidence(f, options_.weights);
  }
  return out;
}

MappingCandidate MappingEngine::ToCandidate(const CandidateEvidence& e) const {
  const CatalogEntry& entry = catalog_.entries()[e.entry];
  return MappingCandidate{entry.code, entry.long_name, entry.category, e.score, e.confidence};
}

std::string MappingEngine::LearnedKey(const std::string& source, const std::string& name_key,
                                      const std::string& unit) {
  std::string key = source;
  key.push_back('\x1f');
  key += name_key;
  key.push_back('\x1f');
  key += unit;
  return key;
}

MappingResult MappingEngine::Map(const LabTestQuery& query, int top_k) const {
  size_t k = static_cast<size_t>(std::max(top_k, 1));
  MappingResult result;
  const Prepared prepared = Prepare(query);
  std::vector<CandidateEvidence> ranked = RankPrepared(query, prepared, TextIndex::Exclusion{});

  std::string learned_code;
  const NormalizedName& name = prepared.name;
  if (!name.tokens.empty()) {
    const std::string& unit = prepared.unit.cleaned;
    std::vector<std::string> sources;
    if (!query.source.empty()) sources.push_back(query.source);
    sources.emplace_back();  // global synonyms apply to every source
    std::shared_lock lock(learned_mu_);
    for (size_t i = 0; i < sources.size() && learned_code.empty() && !learned_.empty(); ++i) {
      for (const std::string& u : {unit, std::string()}) {
        auto it = learned_.find(LearnedKey(sources[i], name.key, u));
        if (it != learned_.end()) {
          learned_code = it->second;
          break;
        }
      }
    }
  }

  if (!learned_code.empty()) {
    const CatalogEntry* entry = catalog_.Find(learned_code);
    if (entry != nullptr) {
      result.loinc_code = entry->code;
      result.loinc_name = entry->long_name;
      result.category = entry->category;
      result.canonical_unit = entry->canonical_unit;
      result.component = entry->component;
      result.confidence = kLearnedConfidence;
      result.status = MappingStatus::kMapped;
      result.match_type = "learned";
      result.candidates.push_back(
          MappingCandidate{entry->code, entry->long_name, entry->category, 0, kLearnedConfidence});
      for (const CandidateEvidence& c : ranked) {
        if (result.candidates.size() >= k) break;
        if (catalog_.entries()[c.entry].code == entry->code) continue;
        result.candidates.push_back(ToCandidate(c));
      }
      return result;
    }
  }

  for (size_t i = 0; i < ranked.size() && i < k; ++i) {
    result.candidates.push_back(ToCandidate(ranked[i]));
  }
  if (ranked.empty()) return result;
  const CandidateEvidence& top = ranked.front();
  const CatalogEntry& entry = catalog_.entries()[top.entry];
  result.loinc_code = entry.code;
  result.loinc_name = entry.long_name;
  result.category = entry.category;
  result.canonical_unit = entry.canonical_unit;
  result.component = entry.component;
  result.confidence = top.confidence;
  result.match_type = top.exact ? "exact" : "fuzzy";
  result.status = top.confidence >= options_.auto_accept_threshold ? MappingStatus::kMapped
                                                                   : MappingStatus::kNeedsReview;
  return result;
}

Status MappingEngine::AddSynonym(const LearnedSynonym& synonym) {
  NormalizedName name = Normalize(synonym.name);
  if (name.tokens.empty()) {
    return InvalidArgument("synonym name '" + synonym.name + "' has no letters or digits");
  }
  std::string code = catalog_.Resolve(synonym.code);
  if (catalog_.Find(code) == nullptr) {
    return NotFound("LOINC code " + synonym.code +
                    " is not in the catalog (import the LOINC table to use codes outside the "
                    "built-in catalog)");
  }
  std::string key = LearnedKey(synonym.source, name.key, ParseUnit(synonym.unit).cleaned);
  std::unique_lock lock(learned_mu_);
  learned_[key] = code;
  return Status::Ok();
}

size_t MappingEngine::MemoryBytes() const {
  size_t bytes = index_.MemoryBytes() + info_.capacity() * sizeof(EntryInfo);
  for (const CatalogEntry& e : catalog_.entries()) {
    bytes += sizeof(CatalogEntry) + e.long_name.capacity() + e.component.capacity();
    for (const auto& n : e.names) bytes += n.capacity() + sizeof(n);
    for (const auto& u : e.units) bytes += u.capacity() + sizeof(u);
  }
  return bytes;
}

}  // namespace mlw::mapping
