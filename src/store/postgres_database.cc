#include "store/postgres_database.h"

#include "store/database_factory.h"

namespace mlw::store {
namespace {

Rows ToRows(const pg::PgResult& r) {
  Rows rows;
  rows.reserve(static_cast<size_t>(r.rows()));
  const int columns = r.columns();
  for (int i = 0; i < r.rows(); ++i) {
    Row row;
    row.values.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) row.values.push_back(r.At(i, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

// The Connection a transaction callback sees: statements on the transaction's connection.
class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(pg::PgConnection& conn) : conn_(conn) {}
  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    MLW_ASSIGN_OR_RETURN(pg::PgResult r, conn_.Execute(sql, params));
    return ToRows(r);
  }
  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    MLW_ASSIGN_OR_RETURN(pg::PgResult r, conn_.Execute(sql, params));
    return r.Affected();
  }
  Status ExecScript(std::string_view sql) override { return conn_.ExecScript(sql); }
  Dialect dialect() const override { return Dialect::kPostgres; }

 private:
  pg::PgConnection& conn_;
};

}  // namespace

PostgresDatabase::PostgresDatabase(pg::PgUrl url, const DatabaseOptions& options)
    : pool_(std::move(url), pg::PgPoolOptions{options.max_connections, options.acquire_timeout_ms,
                                              options.busy_timeout_ms}) {}

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(const std::string& url,
                                                                 const DatabaseOptions& options) {
  if (options.max_connections < 1) {
    return InvalidArgument("max_connections must be at least 1, got " +
                           std::to_string(options.max_connections));
  }
  MLW_ASSIGN_OR_RETURN(pg::PgUrl parsed, pg::ParsePostgresUrl(url));
  std::unique_ptr<PostgresDatabase> db(new PostgresDatabase(std::move(parsed), options));
  MLW_RETURN_IF_ERROR(db->pool_.Warm());
  return db;
}

Result<Rows> PostgresDatabase::Query(std::string_view sql, const std::vector<Value>& params) {
  return pool_.Run<Rows>([&](pg::PgConnection& conn) -> Result<Rows> {
    MLW_ASSIGN_OR_RETURN(pg::PgResult r, conn.Execute(sql, params));
    return ToRows(r);
  });
}

Result<int64_t> PostgresDatabase::Exec(std::string_view sql, const std::vector<Value>& params) {
  return pool_.Run<int64_t>([&](pg::PgConnection& conn) -> Result<int64_t> {
    MLW_ASSIGN_OR_RETURN(pg::PgResult r, conn.Execute(sql, params));
    return r.Affected();
  });
}

Status PostgresDatabase::InTransaction(const std::function<Status(Connection&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    MLW_ASSIGN_OR_RETURN(pg::PgPool::Lease conn, pool_.Acquire());
    Status begun = conn->ExecScript("BEGIN");
    if (!begun.ok()) {
      // Nothing ran yet: a connection that turned out dead (server restarted) is replaced.
      if (attempt == 0 && begun.reason() == "ConnectionLost") continue;
      return begun;
    }
    PostgresConnection tx(*conn);
    Status st;
    try {
      st = fn(tx);
    } catch (...) {
      if (!conn->broken()) (void)conn->ExecScript("ROLLBACK");
      throw;
    }
    if (st.ok() && conn->InFailedTransaction()) {
      // The callback ignored a failed statement; COMMIT would silently roll back.
      st = FailedPrecondition("a statement of the transaction failed; it was rolled back",
                              "TransactionAborted");
    }
    if (st.ok()) st = conn->ExecScript("COMMIT");
    if (!st.ok() && !conn->broken() && conn->InTransaction()) (void)conn->ExecScript("ROLLBACK");
    return st;
  }
}

void RegisterPostgresDatabase() {
  auto opener = [](const std::string& url,
                   const DatabaseOptions& options) -> Result<std::unique_ptr<Database>> {
    MLW_ASSIGN_OR_RETURN(auto db, PostgresDatabase::Open(url, options));
    return std::unique_ptr<Database>(std::move(db));
  };
  RegisterDatabaseScheme("postgresql", "postgresql://user@host:5432/dbname", opener);
  RegisterDatabaseScheme("postgres", "postgres://user@host:5432/dbname", opener);
}

}  // namespace mlw::store
