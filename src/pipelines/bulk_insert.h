// Multi-row INSERT through prepared statements: rows go in statements of up to N rows each, N a
// power of two, and a remainder in one statement per set bit of its size (23 rows: 16 + 4 + 2 + 1),
// so a small batch costs a few statement executions rather than one per row while only log2(N) + 1
// distinct statements are ever prepared. That is what makes bulk loads and small jobs fast on
// both SQLite and PostgreSQL. Columns whose value is the same in every row of a call (the user, a
// timestamp) can be declared shared: each statement binds them once, not once per row. The SQL is
// built once from constant table/column names; values are always bound. Immutable after
// construction; thread-safe.
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
  // `shared` names columns of `columns` whose value Run takes once for all rows.
  BulkInsert(std::string table, std::vector<std::string> columns, std::string suffix = "",
             std::vector<std::string> shared = {});

  using Fill = std::function<void(size_t row, std::vector<store::Value>& out)>;
  using OnRow = std::function<void(const store::Row&)>;
  // Inserts rows 0..n-1; `fill` appends exactly one value per column that is not shared, in the
  // order of `columns`, and `shared_values` holds one value per shared column, in the order of
  // `shared`. `on_row` gets each RETURNING row (if the suffix has one).
  Status Run(store::Connection& conn, size_t n, const std::vector<store::Value>& shared_values,
             const Fill& fill, const OnRow& on_row = {}) const;
  // Run without shared columns.
  Status Run(store::Connection& conn, size_t n, const Fill& fill, const OnRow& on_row = {}) const {
    return Run(conn, n, {}, fill, on_row);
  }

 private:
  std::string Sql(size_t rows) const;

  std::string table_;
  std::vector<std::string> columns_;
  std::string suffix_;
  // shared_param_[c]: the parameter number of column c when it is shared, else 0.
  std::vector<size_t> shared_param_;
  size_t shared_count_ = 0;
  size_t row_values_ = 0;  // values per row that Fill appends
  // sql_[k] inserts 2^k rows; the last entry is the largest chunk.
  std::vector<std::string> sql_;
};

}  // namespace mlw::pipelines
