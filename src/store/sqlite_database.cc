#include "store/sqlite_database.h"

#include <chrono>
#include <filesystem>
#include <system_error>

#include "store/sqlite_connection.h"

namespace mlw::store {
namespace {

// Returns the connection to the pool when a borrowing call ends, whatever the path.
class Borrowed {
 public:
  Borrowed(std::unique_ptr<SqliteConnection> conn,
           std::function<void(std::unique_ptr<SqliteConnection>)> release)
      : conn_(std::move(conn)), release_(std::move(release)) {}
  ~Borrowed() { release_(std::move(conn_)); }
  SqliteConnection& operator*() { return *conn_; }
  SqliteConnection* operator->() { return conn_.get(); }

 private:
  std::unique_ptr<SqliteConnection> conn_;
  std::function<void(std::unique_ptr<SqliteConnection>)> release_;
};

}  // namespace

SqliteDatabase::SqliteDatabase(std::string path, DatabaseOptions options)
    : path_(std::move(path)), options_(options) {}

SqliteDatabase::~SqliteDatabase() = default;

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path,
                                                             const DatabaseOptions& options) {
  if (path.empty()) return InvalidArgument("SQLite database path is empty");
  DatabaseOptions opts = options;
  if (opts.max_connections < 1) {
    return InvalidArgument("max_connections must be at least 1, got " +
                           std::to_string(opts.max_connections));
  }
  if (path == ":memory:") {
    opts.max_connections = 1;
  } else if (opts.create_directories) {
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Unavailable("cannot create directory '" + parent.string() + "': " + ec.message());
    }
  }
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(path, opts));
  // Open one connection now so that a bad path or a non-database file fails at open time.
  MLW_ASSIGN_OR_RETURN(auto first, SqliteConnection::Open(path, opts));
  db->idle_.push_back(std::move(first));
  db->open_count_ = 1;
  return db;
}

Result<std::unique_ptr<SqliteConnection>> SqliteDatabase::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.acquire_timeout_ms);
  while (idle_.empty() && open_count_ >= options_.max_connections) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_count_ >= options_.max_connections) {
      return Unavailable("no free database connection within " +
                             std::to_string(options_.acquire_timeout_ms) + " ms",
                         "DatabaseBusy");
    }
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_count_;
  lock.unlock();
  auto opened = SqliteConnection::Open(path_, options_);
  if (!opened.ok()) {
    lock.lock();
    --open_count_;
    cv_.notify_one();
  }
  return opened;
}

void SqliteDatabase::Release(std::unique_ptr<SqliteConnection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(conn));
  cv_.notify_one();
}

Result<Rows> SqliteDatabase::Query(std::string_view sql, const std::vector<Value>& params) {
  MLW_ASSIGN_OR_RETURN(auto raw, Acquire());
  Borrowed conn(std::move(raw), [this](auto c) { Release(std::move(c)); });
  return conn->Query(sql, params);
}

Result<int64_t> SqliteDatabase::Exec(std::string_view sql, const std::vector<Value>& params) {
  MLW_ASSIGN_OR_RETURN(auto raw, Acquire());
  Borrowed conn(std::move(raw), [this](auto c) { Release(std::move(c)); });
  return conn->Exec(sql, params);
}

Status SqliteDatabase::InTransaction(const std::function<Status(Connection&)>& fn) {
  return RunTransaction(fn, WriterClass::kNormal);
}

Status SqliteDatabase::InUrgentTransaction(const std::function<Status(Connection&)>& fn) {
  return RunTransaction(fn, WriterClass::kUrgent);
}

Status SqliteDatabase::RunTransaction(const std::function<Status(Connection&)>& fn,
                                      WriterClass cls) {
  // Taken before the connection, so no thread holds a pooled connection while it waits here.
  WriterGateLock writer(writer_gate_, cls, std::chrono::milliseconds(options_.busy_timeout_ms));
  if (!writer.held()) {
    return Unavailable(
        "database is locked: another transaction of this process held the write "
        "lock for more than the busy timeout (" +
            std::to_string(options_.busy_timeout_ms) + " ms)",
        "DatabaseBusy");
  }
  MLW_ASSIGN_OR_RETURN(auto raw, Acquire());
  Borrowed conn(std::move(raw), [this](auto c) { Release(std::move(c)); });
  // IMMEDIATE takes the write lock up front, so a read-then-write transaction never fails half-way
  // with SQLITE_BUSY on lock upgrade; waiting for the lock is bounded by the busy timeout.
  auto begun = conn->Exec("BEGIN IMMEDIATE");
  if (!begun.ok()) return begun.status();
  Status st;
  try {
    st = fn(*conn);
  } catch (...) {
    (void)conn->Exec("ROLLBACK");
    throw;
  }
  if (!st.ok()) {
    if (conn->InTransaction()) (void)conn->Exec("ROLLBACK");
    return st;
  }
  auto committed = conn->Exec("COMMIT");
  if (!committed.ok()) {
    if (conn->InTransaction()) (void)conn->Exec("ROLLBACK");
    return committed.status();
  }
  return Status::Ok();
}

}  // namespace mlw::store
