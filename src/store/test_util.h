// Test helpers for code that needs a real database: a temporary directory removed on destruction
// and a freshly migrated SQLite database inside it. For tests only.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/database_factory.h"
#include "store/migrations.h"

namespace mlw::store::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/mlw-test-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

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
