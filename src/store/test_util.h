// Test helpers for code that needs a real database: a temporary directory removed on destruction
// and a freshly migrated SQLite database inside it. For tests only.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "store/database_factory.h"
#include "store/migrations.h"
#include "store/temp_dir.h"

namespace mlw::store::testing {

// Opens `<dir>/name` as SQLite and applies all migrations; throws on failure (tests only).
inline std::unique_ptr<Database> OpenMigrated(const TempDir& dir, const std::string& name = "t.db",
                                              const DatabaseOptions& options = {}) {
  auto db = OpenDatabase("sqlite://" + dir.path() + "/" + name, options);
  if (!db.ok()) throw std::runtime_error(db.status().ToString());
  auto migrated = Migrate(**db);
  if (!migrated.ok()) throw std::runtime_error(migrated.status().ToString());
  return std::move(db).value();
}

}  // namespace mlw::store::testing
