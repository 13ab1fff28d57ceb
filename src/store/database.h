// The store layer's public surface: a Database runs parameterized SQL on SQLite or PostgreSQL.
// Values are always bound, never spliced into SQL text. SQL is written once for both dialects with
// numbered placeholders $1, $2, … (the SQLite backend rewrites them to ?1, ?2, …); both dialects
// accept `INSERT … ON CONFLICT … DO UPDATE` and `RETURNING`.
//
// Thread-safety: a Database is safe to use from many threads (it pools connections); a Connection
// handed to a transaction callback belongs to that callback only and must not escape it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace mlw::store {

// NULL, INTEGER (also booleans and epoch timestamps), REAL, TEXT/BLOB.
using Value = std::variant<std::monostate, int64_t, double, std::string>;

struct Row {
  std::vector<Value> values;
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values.at(i)); }
  // REQUIRES: the column holds that type (integers read as double are converted).
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  const std::string& Text(size_t i) const;
};
using Rows = std::vector<Row>;

// One result row as Connection::QueryEach hands it over, valid only during that call: Text views
// memory that the next row reuses. The accessors have Row's preconditions, but what a view returns
// when one is broken depends on the store: Row throws std::logic_error, SQLite converts (a NULL
// reads as 0 or ""). A column index out of range throws std::out_of_range.
class RowView {
 public:
  virtual size_t size() const = 0;
  virtual bool IsNull(size_t i) const = 0;
  virtual int64_t Int(size_t i) const = 0;
  virtual double Real(size_t i) const = 0;
  virtual std::string_view Text(size_t i) const = 0;
  virtual Value Get(size_t i) const = 0;

 protected:
  ~RowView() = default;
};

// A RowView of a materialized Row (which must outlive it).
class RowRef final : public RowView {
 public:
  explicit RowRef(const Row& row) : row_(row) {}
  size_t size() const override { return row_.values.size(); }
  bool IsNull(size_t i) const override { return row_.IsNull(i); }
  int64_t Int(size_t i) const override { return row_.Int(i); }
  double Real(size_t i) const override { return row_.Real(i); }
  std::string_view Text(size_t i) const override { return row_.Text(i); }
  Value Get(size_t i) const override { return row_.values.at(i); }

 private:
  const Row& row_;
};

// A copy of `view` that outlives it.
Row Materialize(const RowView& view);

using RowVisitor = std::function<Status(const RowView&)>;

enum class Dialect { kSqlite, kPostgres };

class Connection {
 public:
  virtual ~Connection() = default;
  // Runs one statement and returns its rows (empty for statements without results).
  virtual Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs one statement and hands each result row to `visit` as the statement produces it, without
  // collecting them: a large result then costs no more memory than one row. Stops at the first
  // non-OK status `visit` returns and returns it. The default collects the rows with Query first.
  virtual Status QueryEach(std::string_view sql, const std::vector<Value>& params,
                           const RowVisitor& visit);
  // Runs one statement and returns the number of rows it changed.
  virtual Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs a script of several `;`-separated statements without parameters (migrations, DDL).
  virtual Status ExecScript(std::string_view sql) = 0;
  virtual Dialect dialect() const = 0;
};

class Database {
 public:
  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;

  // Autocommit conveniences on a pooled connection.
  virtual Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  virtual Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;

  // Runs `fn` in one transaction on one connection: commits if it returns OK, rolls back
  // otherwise (and on a failed commit) and returns its Status. A transaction that would block on a
  // writer (SQLite busy) waits up to the busy timeout, then fails with kUnavailable.
  virtual Status InTransaction(const std::function<Status(Connection&)>& fn) = 0;

  // InTransaction for a writer that callers are waiting on (the API's group commit). Where writers
  // of this process queue for one lock (SQLite), it goes before the others waiting and after at
  // most one of them (store/writer_gate.h). Elsewhere simply InTransaction.
  virtual Status InUrgentTransaction(const std::function<Status(Connection&)>& fn) {
    return InTransaction(fn);
  }
};

}  // namespace mlw::store
