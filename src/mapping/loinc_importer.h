// Reads the official LOINC table (Loinc.csv from loinc.org: quoted CSV, columns located by header
// name) and keeps every laboratory code (CLASSTYPE 1 when the column exists). Validation happens
// before anything is written: a malformed file writes nothing.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "mapping/catalog_store.h"

namespace mlw::mapping {

struct ImportOptions {
  // Skip bad rows (reporting them) instead of rejecting the whole file.
  bool skip_bad_rows = false;
  // At most this many bad rows are described in errors.
  size_t max_reported_errors = 20;
  // Called now and then with (bytes read, total bytes, rows read); may be empty.
  std::function<void(size_t, size_t, size_t)> progress;
};

struct ParsedLoincTable {
  std::vector<LoincRecord> records;
  ImportSummary summary;
  std::vector<std::string> bad_rows;  // "line N: reason", at most max_reported_errors
};

// Parses and validates `path`. Errors: NotFound (no file), InvalidArgument (missing required
// columns, broken quoting, or bad rows when !skip_bad_rows; the message lists them by line).
Result<ParsedLoincTable> ParseLoincTable(const std::string& path, const ImportOptions& options);

// ParseLoincTable, then CatalogStore::ReplaceLoincTable in one transaction.
Result<ImportSummary> ImportLoincTable(const std::string& path, CatalogStore* store,
                                       const ImportOptions& options);

}  // namespace mlw::mapping
