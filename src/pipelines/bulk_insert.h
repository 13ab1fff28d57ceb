// Multi-row INSERT through prepared statements: rows go in statements of up to N rows each, N a
// power of two, and a remainder in one statement per set bit of its size (23 rows: 16 + 4 + 2 + 1),
// so a small batch costs a few statement executions rather than one per row while only log2(N) + 1
// distinct statements are ever prepared. That is what makes bulk loads and small jobs fast on
// both SQLite and PostgreSQL. The SQL is built once from constant table/column names; values are
// always bound. Immutable after construction; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/database.h"

namespace mlw::pipelines {

class BulkInsert {
 public:
  // `suffix` follows the VALUES list: an `ON CONFLICT … DO UPDATE …` clause and/or `RETURNING …`.
  BulkInsert(std::string table, std::vector<std::string> columns, std::string suffix = "");

  using Fill = std::function<void(size_t row, std::vector<store::Value>& out)>;
  using OnRow = std::function<void(const store::Row&)>;
  // Inserts rows 0..n-1; `fill` appends exactly one value per column for the row. `on_row` gets
  // each RETURNING row (if the suffix has one).
  Status Run(store::Connection& conn, size_t n, const Fill& fill, const OnRow& on_row = {}) const;

 private:
  std::string Sql(size_t rows) const;

  std::string table_;
  std::vector<std::string> columns_;
  std::string suffix_;
  // sql_[k] inserts 2^k rows; the last entry is the largest chunk.
  std::vector<std::string> sql_;
};

}  // namespace mlw::pipelines
