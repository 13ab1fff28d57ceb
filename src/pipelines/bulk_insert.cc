#include "pipelines/bulk_insert.h"

#include <algorithm>
#include <cstdlib>

namespace mlw::pipelines {

BulkInsert::BulkInsert(std::string table, std::vector<std::string> columns, std::string suffix,
                       std::vector<std::string> shared)
    : table_(std::move(table)),
      columns_(std::move(columns)),
      suffix_(std::move(suffix)),
      shared_param_(columns_.size(), 0) {
  for (const auto& name : shared) {
    auto it = std::find(columns_.begin(), columns_.end(), name);
    // A constant of this program: a shared column that is not a column is a programming error.
    if (it == columns_.end() || shared_param_[static_cast<size_t>(it - columns_.begin())] != 0) {
      std::abort();
    }
    shared_param_[static_cast<size_t>(it - columns_.begin())] = ++shared_count_;
  }
  row_values_ = columns_.size() - shared_count_;
  // Stay far below SQLite's 32766 and PostgreSQL's 65535 bound parameters per statement.
  const size_t limit = std::max<size_t>(1, std::min<size_t>(128, 4000 / columns_.size()));
  for (size_t rows = 1; rows <= limit; rows *= 2) sql_.push_back(Sql(rows));
}

std::string BulkInsert::Sql(size_t rows) const {
  std::string sql = "INSERT INTO " + table_ + " (";
  for (size_t c = 0; c < columns_.size(); ++c) sql += (c ? ", " : "") + columns_[c];
  sql += ") VALUES ";
  size_t p = shared_count_ + 1;
  for (size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (size_t c = 0; c < columns_.size(); ++c) {
      sql += (c ? ", $" : "$") + std::to_string(shared_param_[c] ? shared_param_[c] : p++);
    }
    sql += ")";
  }
  if (!suffix_.empty()) sql += " " + suffix_;
  return sql;
}

Status BulkInsert::Run(store::Connection& conn, size_t n,
                       const std::vector<store::Value>& shared_values, const Fill& fill,
                       const OnRow& on_row) const {
  if (shared_values.size() != shared_count_) {
    return Internal("BulkInsert into " + table_ + ": " + std::to_string(shared_values.size()) +
                    " shared values for " + std::to_string(shared_count_) + " shared columns");
  }
  std::vector<store::Value> params;
  size_t i = 0;
  while (i < n) {
    // The largest power of two that fits what is left.
    size_t k = sql_.size() - 1;
    while ((size_t{1} << k) > n - i) --k;
    const size_t rows = size_t{1} << k;
    params.assign(shared_values.begin(), shared_values.end());
    params.reserve(shared_count_ + rows * row_values_);
    for (size_t r = 0; r < rows; ++r) {
      fill(i + r, params);
      if (params.size() != shared_count_ + (r + 1) * row_values_) {
        return Internal("BulkInsert into " + table_ + ": fill gave the wrong number of values");
      }
    }
    const std::string& sql = sql_[k];
    if (on_row) {
      MLW_ASSIGN_OR_RETURN(store::Rows out, conn.Query(sql, params));
      for (const auto& row : out) on_row(row);
    } else {
      MLW_RETURN_IF_ERROR(conn.Exec(sql, params).status());
    }
    i += rows;
  }
  return Status::Ok();
}

}  // namespace mlw::pipelines
