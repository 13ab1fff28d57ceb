#include "store/migrations.h"

#include <algorithm>
#include <set>
#include <string>

namespace mlw::store {
namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at_us BIGINT NOT NULL)";

// PostgreSQL runs transactions concurrently (READ COMMITTED): a transaction-scoped advisory lock
// serializes migrators there, as BEGIN IMMEDIATE does on SQLite.
Status LockMigrations(Connection& conn, Dialect dialect) {
  if (dialect != Dialect::kPostgres) return Status::Ok();
  return conn.Query("SELECT pg_advisory_xact_lock(7345012210)").status();
}

}  // namespace

int64_t LatestKnownVersion(Dialect dialect) {
  int64_t latest = 0;
  for (const auto& m : EmbeddedMigrations(dialect)) latest = std::max(latest, m.version);
  return latest;
}

Result<int64_t> CurrentSchemaVersion(Database& db) {
  MLW_RETURN_IF_ERROR(db.InTransaction([&](Connection& conn) -> Status {
    MLW_RETURN_IF_ERROR(LockMigrations(conn, db.dialect()));
    return conn.Exec(kCreateTable).status();
  }));
  MLW_ASSIGN_OR_RETURN(Rows rows, db.Query("SELECT MAX(version) FROM schema_migrations"));
  if (rows.empty() || rows[0].IsNull(0)) return int64_t{0};
  return rows[0].Int(0);
}

Result<MigrateResult> Migrate(Database& db, const Clock& clock) {
  return Migrate(db, EmbeddedMigrations(db.dialect()), clock);
}

Result<MigrateResult> Migrate(Database& db, std::span<const EmbeddedMigration> migrations,
                              const Clock& clock) {
  MigrateResult result;
  MLW_ASSIGN_OR_RETURN(result.from_version, CurrentSchemaVersion(db));
  int64_t known = 0;
  for (const auto& m : migrations) known = std::max(known, m.version);
  if (result.from_version > known) {
    return FailedPrecondition(
        "database schema is at version " + std::to_string(result.from_version) +
            " but this mlworker knows versions up to " + std::to_string(known) +
            "; run a newer mlworker (downgrades are not supported)",
        "SchemaTooNew");
  }
  MLW_ASSIGN_OR_RETURN(Rows applied_rows, db.Query("SELECT version FROM schema_migrations"));
  std::set<int64_t> applied;
  for (const auto& r : applied_rows) applied.insert(r.Int(0));
  result.to_version = result.from_version;
  for (const auto& m : migrations) {
    if (m.sql == nullptr || applied.count(m.version)) continue;
    bool applied_now = false;
    Status st = db.InTransaction([&](Connection& conn) -> Status {
      MLW_RETURN_IF_ERROR(LockMigrations(conn, db.dialect()));
      MLW_ASSIGN_OR_RETURN(
          Rows seen, conn.Query("SELECT 1 FROM schema_migrations WHERE version = $1", {m.version}));
      if (!seen.empty()) return Status::Ok();  // another process applied it meanwhile
      MLW_RETURN_IF_ERROR(conn.ExecScript(m.sql));
      MLW_RETURN_IF_ERROR(conn.Exec("INSERT INTO schema_migrations (version, name, applied_at_us) "
                                    "VALUES ($1, $2, $3)",
                                    {m.version, std::string(m.name), clock.NowMicros()})
                              .status());
      applied_now = true;
      return Status::Ok();
    });
    if (!st.ok()) {
      return Status(
          st.code(),
          "migration " + std::to_string(m.version) + "_" + m.name + " failed: " + st.message(),
          st.reason());
    }
    if (applied_now) ++result.applied;
    result.to_version = std::max(result.to_version, m.version);
  }
  return result;
}

}  // namespace mlw::store
