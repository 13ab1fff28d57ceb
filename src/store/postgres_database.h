// The PostgreSQL backend of the Database interface, on libpq: prepared statements only (cached per
// connection by SQL text), a bounded connection pool, and reconnection with backoff when the server
// restarts or fails over (libpq's multi-host URLs give the fail-over list).
//
// Reconnect policy: a connection found lost is discarded. An autocommit Query/Exec that failed
// because its connection dropped is retried once on a new connection; a transaction whose BEGIN
// failed that way is started again on a new one. A transaction that loses its connection later
// fails with kUnavailable (reason "ConnectionLost") and is rolled back by the server: callers retry
// it as they retry any kUnavailable. While the server is unreachable, getting a connection keeps
// trying for up to DatabaseOptions::busy_timeout_ms.
//
// Isolation: READ COMMITTED, PostgreSQL's default. SQL shared with SQLite (which serializes
// writers) must therefore make each claim a single conditional statement — as the code does with
// `UPDATE … WHERE <still claimable>` and `ON CONFLICT … DO UPDATE … WHERE`.
//
// Thread-safety: PostgresDatabase is thread-safe; a Connection given to a transaction callback
// belongs to that callback only.
#pragma once

#include <memory>
#include <string>

#include "queue/postgres_queue_pool.h"
#include "store/database.h"
#include "store/database_options.h"

namespace mlw::store {

class PostgresDatabase final : public Database {
 public:
  // Parses `url` (postgresql://… or postgres://…, see queue/postgres_queue_url.h) and connects
  // once, so that a bad URL, a rejected login or an unreachable server fails here with the reason.
  static Result<std::unique_ptr<PostgresDatabase>> Open(const std::string& url,
                                                        const DatabaseOptions& options);

  Dialect dialect() const override { return Dialect::kPostgres; }
  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) override;
  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params = {}) override;
  Status InTransaction(const std::function<Status(Connection&)>& fn) override;

 private:
  PostgresDatabase(pg::PgUrl url, const DatabaseOptions& options);

  pg::PgPool pool_;
};

// Makes OpenDatabase accept postgresql:// and postgres:// URLs. Call once at start-up.
void RegisterPostgresDatabase();

}  // namespace mlw::store
