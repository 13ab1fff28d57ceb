// The LOINC catalog the mapper searches: curated built-in entries (data/catalog.tsv, compiled into
// the binary) plus, optionally, codes imported from an official LOINC table (catalog_store.h).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace mlw::mapping {

// The category vocabulary; "other" for anything that fits none of the named groups.
const std::vector<std::string>& Categories();
bool IsKnownCategory(std::string_view category);

struct CatalogEntry {
  std::string code;       // LOINC_NUM, e.g. "2345-7"
  std::string category;   // one of Categories()
  std::string component;  // LOINC COMPONENT, e.g. "Glucose"
  std::string property;   // LOINC PROPERTY, e.g. "MCnc"
  std::string system;     // LOINC SYSTEM, e.g. "Ser/Plas"
  std::string scale;      // LOINC SCALE_TYP: "Qn", "Ord", "Nom"
  std::string method;     // LOINC METHOD_TYP, may be empty
  std::string canonical_unit;      // the unit results are normally reported in; may be empty
  std::vector<std::string> units;  // accepted units as printed; "" = commonly reported unitless
  bool preferred = false;  // chosen among codes sharing a name when nothing else decides
  bool curated = true;     // from the built-in catalog; false for codes imported from Loinc.csv
  int common_rank = 0;     // LOINC COMMON_TEST_RANK of imported codes (1 = most common; 0 = none)
  std::string long_name;           // LOINC LONG_COMMON_NAME
  std::vector<std::string> names;  // names and abbreviations printed on reports
};

// A set of entries keyed by code, plus deprecated-code replacements. Not thread-safe for writes;
// const access is safe from many threads.
class Catalog {
 public:
  // Parses the tab-separated catalog format (docs/mapping.md). Errors name the line.
  static Result<Catalog> ParseTsv(std::string_view tsv);
  // The built-in catalog compiled from data/catalog.tsv; parsed once, then shared.
  static Result<const Catalog*> Builtin();

  // Adds or replaces the entry with the same code.
  void Add(CatalogEntry entry);
  // Records that deprecated `code` is replaced by `replacement`.
  void AddReplacement(std::string code, std::string replacement);

  const std::vector<CatalogEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  const CatalogEntry* Find(std::string_view code) const;
  // Follows replacements (deprecated -> current) to a code present in the catalog; returns `code`
  // itself when it has no replacement.
  std::string Resolve(std::string_view code) const;
  const std::unordered_map<std::string, std::string>& replacements() const {
    return replacements_;
  }

 private:
  std::vector<CatalogEntry> entries_;
  std::unordered_map<std::string, size_t> by_code_;
  std::unordered_map<std::string, std::string> replacements_;
};

// True when `code` has the LOINC shape: 1-7 digits, '-', one check digit.
bool IsWellFormedLoincCode(std::string_view code);
// Well formed and its mod-10 check digit is right (a handful of legacy codes in the official
// table fail the check, so imports only require IsWellFormedLoincCode).
bool IsValidLoincCode(std::string_view code);

}  // namespace mlw::mapping
