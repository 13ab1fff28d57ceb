// The PostgreSQL stand-in for src/store/test_util.h. tests/postgres builds the pipeline and
// trigger test sources a second time with this directory first on the include path, so that the
// very same tests run against PostgreSQL: OpenMigrated gives a fresh, migrated database in the
// shared throwaway cluster (pg_test_cluster.h) instead of a SQLite file. Same API as the original.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "pg_test_cluster.h"
#include "store/database_factory.h"
#include "store/migrations.h"
#include "store/postgres_database.h"
#include "store/temp_dir.h"

namespace mlw::store::testing {

// A fresh PostgreSQL database with all migrations applied; throws on failure (tests only). The
// directory and name are unused: every call is a new database.
inline std::unique_ptr<Database> OpenMigrated(const TempDir&, const std::string& = "t.db",
                                              const DatabaseOptions& options = {}) {
  RegisterPostgresDatabase();
  std::string why;
  pgtest::PgTestCluster* cluster = pgtest::PgTestCluster::Shared(&why);
  if (cluster == nullptr) throw std::runtime_error("no PostgreSQL test cluster: " + why);
  Result<std::string> url = cluster->CreateDatabase();
  if (!url.ok()) throw std::runtime_error(url.status().ToString());
  auto db = OpenDatabase(*url, options);
  if (!db.ok()) throw std::runtime_error(db.status().ToString());
  auto migrated = Migrate(**db);
  if (!migrated.ok()) throw std::runtime_error(migrated.status().ToString());
  return std::move(db).value();
}

}  // namespace mlw::store::testing
