// Persistent catalog state in one SQLite file (by default <data-dir>/loinc.db): the imported LOINC
// table and the learned synonyms of the review loop. Prepared statements only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "mapping/catalog.h"
#include "mapping/mapping_engine.h"

struct sqlite3;

namespace mlw::mapping {

// One row of the official LOINC table, as stored.
struct LoincRecord {
  std::string code, component, property, time_aspect, system, scale, method;
  std::string loinc_class, class_type, status, short_name, long_name, display_name, consumer_name;
  std::string example_units;  // EXAMPLE_UCUM_UNITS (';'-separated), else EXAMPLE_UNITS
  int common_rank = 0;        // COMMON_TEST_RANK, 0 when absent
  std::string map_to;         // replacement of a deprecated code, may be empty
};

struct ImportSummary {
  std::string source_file;
  size_t rows = 0;          // data rows read
  size_t laboratory = 0;    // rows kept (laboratory class)
  size_t active = 0;        // kept rows that are not deprecated
  size_t deprecated = 0;    // kept deprecated rows
  size_t replacements = 0;  // deprecated rows with a replacement code
  size_t skipped_bad = 0;   // bad rows skipped (only with skip_bad_rows)
};

// The catalog entry the mapper uses for an imported record (names from SHORTNAME, DISPLAYNAME and
// CONSUMER_NAME; the engine adds the long name and component; category from the built-in
// catalog's entry of the same component, else from the LOINC CLASS).
CatalogEntry EntryFromRecord(const LoincRecord& record, const Catalog* builtin);

// Not thread-safe: one CatalogStore per thread (SQLite handles concurrent processes).
class CatalogStore {
 public:
  ~CatalogStore();
  CatalogStore(const CatalogStore&) = delete;
  CatalogStore& operator=(const CatalogStore&) = delete;

  // Opens or creates the store and its schema.
  static Result<std::unique_ptr<CatalogStore>> Open(const std::string& path);

  // Replaces the imported table with `records` in one transaction: all or nothing.
  Status ReplaceLoincTable(const std::vector<LoincRecord>& records, const ImportSummary& summary);
  // Adds imported active codes missing from `catalog`, and every deprecated-code replacement.
  // Returns the number of entries added.
  Result<size_t> LoadInto(Catalog* catalog) const;
  Result<size_t> CountImportedCodes() const;

  Status AddSynonym(const LearnedSynonym& synonym);
  Result<std::vector<LearnedSynonym>> LoadSynonyms() const;

 private:
  explicit CatalogStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql) const;
  sqlite3* db_;
};

// Builds an engine over the built-in catalog plus whatever the store at `store_path` holds
// (imported codes, learned synonyms). A missing store file means built-in only.
Result<std::unique_ptr<MappingEngine>> OpenEngine(const std::string& store_path,
                                                  EngineOptions options = {});

}  // namespace mlw::mapping
