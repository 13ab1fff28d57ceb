// One SQLite connection with its prepared-statement cache. Not thread-safe: a connection is used
// by one thread at a time (SqliteDatabase's pool enforces that).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/database.h"
#include "store/database_options.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mlw::store {

// Rewrites PostgreSQL-style numbered placeholders `$1` to SQLite's `?1`, leaving `$` inside string
// literals, quoted identifiers and comments alone.
std::string RewritePlaceholders(std::string_view sql);

class SqliteConnection final : public Connection {
 public:
  // Opens `path` (SQLITE_OPEN_CREATE) and applies WAL, busy timeout, foreign keys, synchronous.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                        const DatabaseOptions& options);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) override;
  Status QueryEach(std::string_view sql, const std::vector<Value>& params,
                   const RowVisitor& visit) override;
  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params = {}) override;
  Status ExecScript(std::string_view sql) override;
  Dialect dialect() const override { return Dialect::kSqlite; }

  // True while a transaction is open on this connection.
  bool InTransaction() const;

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  // Returns the cached statement for `sql`, preparing it on first use; reset and ready to bind.
  Result<sqlite3_stmt*> Prepare(std::string_view sql);
  Status Bind(sqlite3_stmt* stmt, const std::vector<Value>& params);
  Status Error(int rc, std::string_view what) const;

  // Hashes SQL text for the statement cache without reading all of a long statement: its length,
  // and its first and last kEdge bytes when it is longer than 2 * kEdge. A multi-row INSERT runs
  // to ~10 KB and is looked up once per chunk of rows; statements that agree on length and edges
  // only share a bucket, and the lookup's comparison of the whole text tells them apart.
  struct SqlHash {
    using is_transparent = void;  // find() takes a string_view: a hit copies nothing
    static constexpr size_t kEdge = 128;
    size_t operator()(std::string_view sql) const noexcept;
  };

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
};

}  // namespace mlw::store
