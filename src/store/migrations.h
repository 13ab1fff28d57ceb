// Versioned schema migrations. Each dialect has its own numbered SQL files under
// src/store/migrations/<dialect>/NNNN_name.sql, embedded into the binary at build time. Applied
// versions are recorded in `schema_migrations`; Migrate applies every known version not recorded
// yet, in ascending order, each in its own transaction together with its record, so a crash leaves
// either all or none of a version. Applying missing versions (not only those above the highest
// applied) keeps branches that number migrations independently mergeable: a database that already
// has 0080 still gets a later-merged 0002. Migrations must therefore not depend on ones with
// higher numbers.
#pragma once

#include <cstdint>
#include <span>

#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"

namespace mlw::store {

struct EmbeddedMigration {
  int64_t version;   // NNNN of the file name, > 0, strictly increasing
  const char* name;  // the file name's _name part
  const char* sql;   // the whole script
};

// The migrations compiled into this binary for `dialect`, ordered by version.
std::span<const EmbeddedMigration> EmbeddedMigrations(Dialect dialect);

// Highest version this binary knows for `dialect` (0 if none).
int64_t LatestKnownVersion(Dialect dialect);

// Highest applied version, 0 for a fresh database.
Result<int64_t> CurrentSchemaVersion(Database& db);

struct MigrateResult {
  int64_t from_version = 0;
  int64_t to_version = 0;
  int applied = 0;
};

// Applies pending migrations in order. Safe to run concurrently from several processes (each
// version is re-checked inside its transaction). Fails with kFailedPrecondition, changing nothing,
// when the database holds a version newer than this binary knows.
Result<MigrateResult> Migrate(Database& db, const Clock& clock = SystemClock::Default());
// The same with an explicit migration list (ascending versions); for tests.
Result<MigrateResult> Migrate(Database& db, std::span<const EmbeddedMigration> migrations,
                              const Clock& clock = SystemClock::Default());

}  // namespace mlw::store
