// Thin RAII layer over the SQLite C API used by SqliteQueueService: connections that cache their
// prepared statements, statements that reset themselves, and a small pool of connections.
//
// Thread-safety: a SqliteConnection (and its statements) is used by one thread at a time; the pool
// hands each connection to one borrower. SQLite is opened with SQLITE_OPEN_NOMUTEX accordingly.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace mlw::queue {

struct SqliteOpenOptions {
  std::string path;
  // true: PRAGMA synchronous=FULL (a commit survives power loss); false: NORMAL (in WAL mode a
  // commit survives any process crash, the last commits may be lost on power loss or OS crash).
  bool sync_full = false;
  // How long a writer waits for another process's write transaction before failing with Unavailable.
  int busy_timeout_ms = 10000;
};

// A prepared statement borrowed from a connection's cache; resets and clears its bindings when it
// goes out of scope. Column accessors are valid only after Step() returned true.
class SqliteStatement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are 1-based, as in SQLite. Text and blobs are copied (SQLITE_TRANSIENT) unless the
  // caller promises they outlive the statement's next Step() (the *Static variants).
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& BindText(int index, std::string_view value);
  SqliteStatement& BindBlobStatic(int index, std::string_view value);
  SqliteStatement& BindNull(int index);

  // Advances; Result true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion, expecting no rows.
  Status Run();

  int64_t Int(int column) const;
  bool IsNull(int column) const;
  std::string Text(int column) const;  // text or blob bytes
  void Reset();

 private:
  sqlite3_stmt* stmt_;
};

class SqliteConnection {
 public:
  // Opens (creating if needed) the file, sets busy timeout, WAL journal and synchronous mode.
  static Result<std::unique_ptr<SqliteConnection>> Open(const SqliteOpenOptions& options);
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection();

  // Runs SQL without parameters (schema, pragmas, BEGIN/COMMIT).
  Status Exec(const char* sql);
  // The cached prepared statement for `sql` (prepared on first use). `sql` must be a string
  // literal or otherwise outlive the connection: the cache is keyed by its address.
  Result<SqliteStatement> Prepare(const char* sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  int64_t LastInsertRowId() const;
  // PRAGMA data_version: changes whenever another connection commits to the file.
  Result<int64_t> DataVersion();

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

// Maps a SQLite result code to a Status: busy/locked become Unavailable, the rest Internal.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

// A bounded set of idle connections to one file. Acquire() reuses an idle one or opens a new one,
// so at most one connection exists per concurrent borrower; at most `max_idle` are kept.
class SqliteConnectionPool {
 public:
  class Lease {
   public:
    Lease(SqliteConnectionPool* pool, std::unique_ptr<SqliteConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease();
    SqliteConnection& operator*() const { return *conn_; }
    SqliteConnection* operator->() const { return conn_.get(); }

   private:
    SqliteConnectionPool* pool_;
    std::unique_ptr<SqliteConnection> conn_;
  };

  SqliteConnectionPool(SqliteOpenOptions options, size_t max_idle)
      : options_(std::move(options)), max_idle_(max_idle) {}
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<SqliteConnection> conn);

  const SqliteOpenOptions options_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_;  // guarded by mu_
};

}  // namespace mlw::queue
