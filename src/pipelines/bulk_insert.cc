#include "pipelines/bulk_insert.h"

#include <algorithm>

namespace mlw::pipelines {

BulkInsert::BulkInsert(std::string table, std::vector<std::string> columns, std::string suffix)
    : table_(std::move(table)), columns_(std::move(columns)), suffix_(std::move(suffix)) {
  // Stay far below SQLite's 32766 and PostgreSQL's 65535 bound parameters per statement.
  chunk_ = std::max<size_t>(1, std::min<size_t>(128, 4000 / columns_.size()));
  chunk_sql_ = Sql(chunk_);
  single_sql_ = Sql(1);
}

std::string BulkInsert::Sql(size_t rows) const {
  std::string sql = "INSERT INTO " + table_ + " (";
  for (size_t c = 0; c < columns_.size(); ++c) sql += (c ? ", " : "") + columns_[c];
  sql += ") VALUES ";
  size_t p = 1;
  for (size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (size_t c = 0; c < columns_.size(); ++c) sql += (c ? ", $" : "$") + std::to_string(p++);
    sql += ")";
  }
  if (!suffix_.empty()) sql += " " + suffix_;
  return sql;
}

Status BulkInsert::Run(store::Connection& conn, size_t n, const Fill& fill,
                       const OnRow& on_row) const {
  std::vector<store::Value> params;
  size_t i = 0;
  while (i < n) {
    const size_t rows = n - i >= chunk_ ? chunk_ : 1;
    params.clear();
    params.reserve(rows * columns_.size());
    for (size_t r = 0; r < rows; ++r) {
      fill(i + r, params);
      if (params.size() != (r + 1) * columns_.size()) {
        return Internal("BulkInsert into " + table_ + ": fill gave the wrong number of values");
      }
    }
    const std::string& sql = rows == chunk_ ? chunk_sql_ : single_sql_;
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
