#include "store/sqlite_connection.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>

namespace mlw::store {
namespace {

// Frees a statement on every path out of a one-shot (uncached) use.
struct StmtGuard {
  sqlite3_stmt* stmt;
  ~StmtGuard() { sqlite3_finalize(stmt); }
};

}  // namespace

std::string RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      // Copy a quoted literal/identifier verbatim; a doubled quote is an escaped quote.
      size_t j = i + 1;
      while (j < sql.size()) {
        if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      size_t end = j < sql.size() ? j + 1 : j;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t j = sql.find('\n', i);
      if (j == std::string_view::npos) j = sql.size();
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t j = sql.find("*/", i + 2);
      j = j == std::string_view::npos ? sql.size() : j + 2;
      out.append(sql.substr(i, j - i));
      i = j;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out.push_back('?');
      ++i;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                 const DatabaseOptions& options) {
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Unavailable("cannot open SQLite database '" + path + "': " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  const char* sync =
      options.sync == SyncMode::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  // journal_mode returns a row; the others return nothing. A file that is not a database fails
  // here, on the first read.
  auto mode = conn->Query("PRAGMA journal_mode=WAL");
  if (!mode.ok()) {
    return Unavailable("cannot open SQLite database '" + path + "': " + mode.status().message());
  }
  MLW_RETURN_IF_ERROR(conn->ExecScript(std::string("PRAGMA foreign_keys=ON;") + sync +
                                       ";PRAGMA cache_size=-" +
                                       std::to_string(std::max(64, options.cache_kib)) + ";"));
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status SqliteConnection::Error(int rc, std::string_view what) const {
  std::string msg =
      std::string(what) + ": " + sqlite3_errmsg(db_) + " (" + sqlite3_errstr(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(msg, "DatabaseBusy");
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status(StatusCode::kAlreadyExists, msg, "UniqueViolation");
      }
      return FailedPrecondition(msg, "ConstraintViolation");
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Unavailable(msg, "DatabaseIo");
    default:
      return Internal(msg);
  }
}

size_t SqliteConnection::SqlHash::operator()(std::string_view sql) const noexcept {
  const std::hash<std::string_view> hash;
  if (sql.size() <= 2 * kEdge) return hash(sql);
  const size_t head = hash(sql.substr(0, kEdge));
  const size_t tail = hash(sql.substr(sql.size() - kEdge));
  return head ^ (tail * 31) ^ (sql.size() * 0x9E3779B97F4A7C15ull);
}

Result<sqlite3_stmt*> SqliteConnection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  std::string rewritten = RewritePlaceholders(sql);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, rewritten.c_str(), static_cast<int>(rewritten.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return Error(rc, "prepare failed");
  if (stmt == nullptr) return InvalidArgument("empty SQL statement");
  for (; tail && *tail; ++tail) {
    if (*tail != ' ' && *tail != '\n' && *tail != '\t' && *tail != ';' && *tail != '\r') {
      sqlite3_finalize(stmt);
      return InvalidArgument("Query/Exec take one statement; use ExecScript for several");
    }
  }
  cache_.emplace(std::string(sql), stmt);
  return stmt;
}

Status SqliteConnection::Bind(sqlite3_stmt* stmt, const std::vector<Value>& params) {
  int expected = sqlite3_bind_parameter_count(stmt);
  if (expected != static_cast<int>(params.size())) {
    return InvalidArgument("statement has " + std::to_string(expected) + " parameters, got " +
                           std::to_string(params.size()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i + 1);
    int rc = SQLITE_OK;
    const Value& v = params[i];
    if (std::holds_alternative<std::monostate>(v)) {
      rc = sqlite3_bind_null(stmt, idx);
    } else if (const auto* x = std::get_if<int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt, idx, *x);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(stmt, idx, *d);
    } else {
      const std::string& s = std::get<std::string>(v);
      // The params outlive the statement's execution, which resets before returning.
      rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) return Error(rc, "bind failed");
  }
  return Status::Ok();
}

namespace {

// The current row of a stepped statement.
class SqliteRowView final : public RowView {
 public:
  explicit SqliteRowView(sqlite3_stmt* stmt)
      : stmt_(stmt), columns_(static_cast<size_t>(sqlite3_column_count(stmt))) {}
  size_t size() const override { return columns_; }
  bool IsNull(size_t i) const override { return Type(i) == SQLITE_NULL; }
  // No type checks on the hot path: each costs SQLite a call. A NULL reads as 0 or "", as SQLite
  // converts it (see RowView).
  int64_t Int(size_t i) const override {
    return static_cast<int64_t>(sqlite3_column_int64(stmt_, Column(i)));
  }
  double Real(size_t i) const override { return sqlite3_column_double(stmt_, Column(i)); }
  std::string_view Text(size_t i) const override {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, Column(i)));
    const int n = sqlite3_column_bytes(stmt_, Column(i));
    return p ? std::string_view(p, static_cast<size_t>(n)) : std::string_view();
  }
  Value Get(size_t i) const override {
    switch (Type(i)) {
      case SQLITE_INTEGER:
        return static_cast<int64_t>(sqlite3_column_int64(stmt_, Column(i)));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt_, Column(i));
      case SQLITE_NULL:
        return std::monostate{};
      default:
        return std::string(Text(i));
    }
  }

 private:
  // As for Row, a column out of range is a programming error.
  int Column(size_t i) const {
    if (i >= columns_) throw std::out_of_range("RowView: no column " + std::to_string(i));
    return static_cast<int>(i);
  }
  int Type(size_t i) const { return sqlite3_column_type(stmt_, Column(i)); }

  sqlite3_stmt* stmt_;
  size_t columns_;
};

}  // namespace

Status SqliteConnection::QueryEach(std::string_view sql, const std::vector<Value>& params,
                                   const RowVisitor& visit) {
  MLW_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  Status bound = Bind(stmt, params);
  if (!bound.ok()) {
    sqlite3_reset(stmt);
    return bound;
  }
  const SqliteRowView view(stmt);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Status visited = visit(view);
    if (!visited.ok()) {
      sqlite3_reset(stmt);
      return visited;
    }
  }
  Status st = rc == SQLITE_DONE ? Status::Ok() : Error(rc, "statement failed");
  sqlite3_reset(stmt);
  return st;
}

Result<Rows> SqliteConnection::Query(std::string_view sql, const std::vector<Value>& params) {
  Rows rows;
  MLW_RETURN_IF_ERROR(QueryEach(sql, params, [&rows](const RowView& row) {
    rows.push_back(Materialize(row));
    return Status::Ok();
  }));
  return rows;
}

Result<int64_t> SqliteConnection::Exec(std::string_view sql, const std::vector<Value>& params) {
  MLW_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  Status bound = Bind(stmt, params);
  if (!bound.ok()) {
    sqlite3_reset(stmt);
    return bound;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
  }
  Status st = rc == SQLITE_DONE ? Status::Ok() : Error(rc, "statement failed");
  sqlite3_reset(stmt);
  if (!st.ok()) return st;
  return static_cast<int64_t>(sqlite3_changes64(db_));
}

Status SqliteConnection::ExecScript(std::string_view sql) {
  std::string text(sql);
  const char* p = text.c_str();
  const char* end = p + text.size();
  while (p < end) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, p, static_cast<int>(end - p), &stmt, &tail);
    if (rc != SQLITE_OK) return Error(rc, "script statement failed to prepare");
    if (stmt == nullptr) break;  // only whitespace or comments remain
    StmtGuard guard{stmt};
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return Error(rc, "script statement failed");
    p = tail;
  }
  return Status::Ok();
}

}  // namespace mlw::store
