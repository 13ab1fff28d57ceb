// The SQLite backend of the Database interface: WAL journal, busy timeout, foreign keys on, a small
// pool of connections and a per-connection cache of prepared statements keyed by SQL text.
//
// Thread-safety: SqliteDatabase is thread-safe. Each call borrows one pooled connection for its
// duration; a transaction keeps its connection until the callback returns. A callback must use the
// Connection it is given: calling back into the Database from inside InTransaction borrows a second
// connection, which can read but would wait on the first one's write lock until the busy timeout.
// Transactions of one SqliteDatabase queue on an in-process writer lock before BEGIN IMMEDIATE:
// SQLite's busy handler polls with sleeps of up to 100 ms, so a writer that merely waited for a
// 2 ms transaction of another thread (the worker's, next to API ingest in `mlworker run`) could
// sleep far longer than the wait. Other processes' writers still meet the busy handler.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/database_options.h"
#include "store/writer_gate.h"

namespace mlw::store {

class SqliteConnection;

class SqliteDatabase final : public Database {
 public:
  // Opens (creating if missing) the database file at `path`; ":memory:" gives a private in-memory
  // database limited to one connection. Fails if the file cannot be opened or is not SQLite.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path,
                                                      const DatabaseOptions& options);
  ~SqliteDatabase() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) override;
  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params = {}) override;
  Status InTransaction(const std::function<Status(Connection&)>& fn) override;
  Status InUrgentTransaction(const std::function<Status(Connection&)>& fn) override;

  const std::string& path() const { return path_; }

 private:
  SqliteDatabase(std::string path, DatabaseOptions options);

  // Borrows an idle connection or opens a new one up to max_connections; waits up to
  // acquire_timeout_ms for one to be returned, then fails with kUnavailable.
  Result<std::unique_ptr<SqliteConnection>> Acquire();
  void Release(std::unique_ptr<SqliteConnection> conn);
  Status RunTransaction(const std::function<Status(Connection&)>& fn, WriterClass cls);

  const std::string path_;
  const DatabaseOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  WriterGate writer_gate_;  // held for the whole of a transaction, taken before its connection
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // guarded by mu_
  int open_count_ = 0;                                   // guarded by mu_
};

}  // namespace mlw::store
