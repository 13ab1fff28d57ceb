#include "pipelines/lease.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>

#include "pipelines/process_options.h"

namespace mlw::pipelines {
namespace {

// Open rows a run may take at the time bound to `now_param` ("$2"): pending, or left `processing`
// by a run whose lease has expired by then.
std::string Claimable(const char* now_param) {
  return std::string("(status = 'pending' OR lease_expires_us <= ") + now_param + ")";
}

// One past the last row of the user bound to $1, or 0 when there is none: a watermark with no open
// row above it.
std::string PastLastRow(RawTable table) {
  return std::string("COALESCE((SELECT MAX(id) + 1 FROM ") + RawRowsTableName(table) +
         " WHERE user_id = $1), 0)";
}

// Sets the user's watermark in `table` to `first_open_id_sql`, an SQL expression over `params`,
// whose $1 is the user's id.
Status SetOpenFrom(store::Connection& conn, RawTable table, const std::string& first_open_id_sql,
                   const std::vector<store::Value>& params) {
  return conn
      .Exec(std::string("INSERT INTO raw_open_from (user_id, table_name, first_open_id) ") +
                "VALUES ($1, '" + RawTableName(table) + "', " + first_open_id_sql +
                ") ON CONFLICT (user_id, table_name) DO UPDATE SET first_open_id = "
                "excluded.first_open_id",
            params)
      .status();
}

}  // namespace

std::string OpenRowsOf(RawTable table, const std::string& user) {
  return "user_id = " + user + " AND id >= COALESCE((SELECT first_open_id FROM raw_open_from " +
         "WHERE user_id = " + user + " AND table_name = '" + RawTableName(table) + "'), 0) " +
         "AND finished_at_us IS NULL";
}

std::string NewLeaseOwner() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t nonce = std::random_device{}();
  return std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" +
         std::to_string(nonce % 1000000007ULL);
}

const char* RawTableName(RawTable table) {
  switch (table) {
    case RawTable::kVitals:
      return "vitals_raw_data";
    case RawTable::kNutrition:
      return "nutrition_raw_data";
    case RawTable::kLabs:
      return "lab_report_raw";
  }
  return "";
}

const char* RawRowsTableName(RawTable table) {
  return table == RawTable::kVitals ? "vitals_raw_rows" : RawTableName(table);
}

bool FinishesByWatermark(RawTable table, store::Dialect dialect) {
  return table == RawTable::kVitals && dialect == store::Dialect::kSqlite;
}

const char* DomainName(RawTable table) {
  switch (table) {
    case RawTable::kVitals:
      return "vitals";
    case RawTable::kNutrition:
      return "nutrition";
    case RawTable::kLabs:
      return "labs";
  }
  return "";
}

Result<store::Rows> ClaimRows(store::Connection& conn, RawTable table, const std::string& columns,
                              int64_t user_id, const std::string& owner, int64_t now_us,
                              int64_t lease_until_us, int64_t limit) {
  const std::string t = RawRowsTableName(table);
  // The table name and column list are constants of this program, never request values.
  const std::string claimable = " WHERE " + OpenRowsOf(table, "$3") + " AND " + Claimable("$4");
  // The oldest `limit` claimable rows, bounded by id rather than `id IN (subquery)`, which lets
  // SQLite update in one pass over the index.
  // Concurrent claims (PostgreSQL, READ COMMITTED): a claim that finds a row locked by another
  // claim waits, then re-checks its WHERE clause on the committed row version, which is no longer
  // claimable — so no row is ever claimed twice (LeaseTest.ConcurrentClaimersNeverClaimTheSameRow).
  // The id bound is not re-evaluated, so such a claim may return fewer than `limit` rows although
  // more are claimable; RetryWhileLeasedElsewhere reports those as not done. The rows are read back
  // by lease owner: cheaper on SQLite than `RETURNING`, which buffers the whole result before the
  // first row.
  const std::string sql =
      "UPDATE " + t + " SET status = 'processing', lease_owner = $1, lease_expires_us = $2, " +
      "attempts = attempts + 1" + claimable + " AND id <= COALESCE((SELECT id FROM " + t +
      claimable + " ORDER BY id LIMIT 1 OFFSET $5), " + std::to_string(INT64_MAX) + ")";
  MLW_RETURN_IF_ERROR(conn.Exec(sql, {owner, lease_until_us, user_id, now_us, limit - 1}).status());
  return conn.Query("SELECT " + columns + " FROM " + t + " WHERE " + OpenRowsOf(table, "$1") +
                        " AND status = 'processing' AND lease_owner = $2 ORDER BY id",
                    {user_id, owner});
}

Result<OpenRowsRead> ReadOpenRows(store::Connection& conn, RawTable table,
                                  const std::string& columns, int64_t user_id, int64_t now_us,
                                  int64_t limit, int64_t max_claimable,
                                  const std::function<void(const store::RowView&)>& on_claimable) {
  OpenRowsRead read;
  read.read_at_us = now_us;
  // Each row's id and claimability follow the requested columns.
  MLW_RETURN_IF_ERROR(conn.QueryEach(
      "SELECT " + columns + ", id, CASE WHEN " + Claimable("$2") + " THEN 1 ELSE 0 END FROM " +
          RawRowsTableName(table) + " WHERE " + OpenRowsOf(table, "$1") + " ORDER BY id LIMIT $3",
      {user_id, now_us, limit}, [&](const store::RowView& row) {
        ++read.open;
        const bool claimable = row.Int(row.size() - 1) == 1;
        const int64_t id = row.Int(row.size() - 2);
        if (!claimable || read.claimed == max_claimable) {
          if (read.first_left_open == 0) read.first_left_open = id;
        } else {
          on_claimable(row);
          ++read.claimed;
          read.last_id = id;
        }
        return Status::Ok();
      }));
  read.complete = read.open < limit;
  return read;
}

Status MarkReadRowsProcessed(store::Connection& conn, RawTable table, int64_t user_id,
                             const OpenRowsRead& read, int64_t now_us) {
  const bool by_watermark = read.complete && FinishesByWatermark(table, conn.dialect());
  // When the watermark finishes rows, only those it cannot pass are rewritten: the ones handed
  // over after the first row left open.
  if (!by_watermark || read.first_left_open != 0) {
    const int64_t rewrite_above = by_watermark ? read.first_left_open : 0;
    // Claimable as of the read's time: a lease that expired since was not read and stays as it is.
    const std::string sql = std::string("UPDATE ") + RawRowsTableName(table) +
                            " SET status = 'processed', finished_at_us = $4, lease_owner = NULL, "
                            "lease_expires_us = NULL, error = NULL, attempts = attempts + 1 "
                            "WHERE " +
                            OpenRowsOf(table, "$1") + " AND " + Claimable("$2") +
                            " AND id <= $3 AND id > $5";
    MLW_RETURN_IF_ERROR(
        conn.Exec(sql, {user_id, read.read_at_us, read.last_id, now_us, rewrite_above}).status());
  }
  if (by_watermark && read.claimed > 0) {
    // Below the new watermark, which is at least this bound, and above the previous one.
    const int64_t below_id = read.first_left_open != 0 ? read.first_left_open : read.last_id + 1;
    MLW_RETURN_IF_ERROR(
        conn.Exec(std::string("INSERT INTO raw_finished_below (user_id, table_name, below_id, "
                              "finished_at_us) VALUES ($1, '") +
                      RawTableName(table) + "', $2, $3) ON CONFLICT DO NOTHING",
                  {user_id, below_id, now_us})
            .status());
  }
  if (read.complete && conn.dialect() == store::Dialect::kSqlite) {
    // Every open row was seen: the watermark moves to the first one left, or past the user's rows.
    MLW_RETURN_IF_ERROR(read.first_left_open != 0
                            ? SetOpenFrom(conn, table, "$2", {user_id, read.first_left_open})
                            : SetOpenFrom(conn, table, PastLastRow(table), {user_id}));
  }
  return Status::Ok();
}

Status MarkReadRowFailed(store::Connection& conn, RawTable table, int64_t raw_id,
                         const std::string& error, int64_t now_us) {
  const std::string sql = std::string("UPDATE ") + RawRowsTableName(table) +
                          " SET status = 'failed', error = $1, finished_at_us = $2, "
                          "lease_owner = NULL, lease_expires_us = NULL, attempts = attempts + 1 "
                          "WHERE id = $3 AND finished_at_us IS NULL";
  return conn.Exec(sql, {error, now_us, raw_id}).status();
}

Result<int64_t> CountOpenRows(store::Connection& conn, RawTable table, int64_t user_id,
                              int64_t limit) {
  const std::string sql = std::string("SELECT COUNT(*) FROM (SELECT 1 FROM ") +
                          RawRowsTableName(table) + " WHERE " + OpenRowsOf(table, "$1") +
                          " LIMIT $2) AS open_rows";
  MLW_ASSIGN_OR_RETURN(store::Rows rows, conn.Query(sql, {user_id, limit}));
  return rows.empty() ? 0 : rows[0].Int(0);
}

Status AdvanceOpenFrom(store::Connection& conn, RawTable table, int64_t user_id) {
  if (conn.dialect() != store::Dialect::kSqlite) return Status::Ok();
  const std::string t = RawRowsTableName(table);
  // The first open row, else one past the user's last row; scanned from the current watermark.
  return SetOpenFrom(conn, table,
                     "COALESCE((SELECT id FROM " + t + " WHERE " + OpenRowsOf(table, "$1") +
                         " ORDER BY id LIMIT 1), " + PastLastRow(table) + ")",
                     {user_id});
}

Result<int64_t> MarkClaimedProcessed(store::Connection& conn, RawTable table, int64_t user_id,
                                     const std::string& owner, int64_t now_us) {
  const std::string sql = std::string("UPDATE ") + RawRowsTableName(table) +
                          " SET status = 'processed', finished_at_us = $1, lease_owner = NULL, "
                          "lease_expires_us = NULL, error = NULL WHERE " +
                          OpenRowsOf(table, "$2") +
                          " AND status = 'processing' AND lease_owner = $3";
  MLW_ASSIGN_OR_RETURN(int64_t done, conn.Exec(sql, {now_us, user_id, owner}));
  MLW_RETURN_IF_ERROR(AdvanceOpenFrom(conn, table, user_id));
  return done;
}

Status MarkFailed(store::Connection& conn, RawTable table, int64_t raw_id, const std::string& owner,
                  const std::string& error, int64_t now_us) {
  const std::string sql = std::string("UPDATE ") + RawRowsTableName(table) +
                          " SET status = 'failed', error = $1, finished_at_us = $2, "
                          "lease_owner = NULL, lease_expires_us = NULL "
                          "WHERE id = $3 AND status = 'processing' AND lease_owner = $4";
  return conn.Exec(sql, {error, now_us, raw_id, owner}).status();
}

Result<std::optional<int64_t>> EarliestForeignLeaseExpiry(store::Database& db, RawTable table,
                                                          int64_t user_id, int64_t now_us) {
  // Claimable rows left behind count as due now: a claim that raced another one for the same
  // user can come back short of its limit (see ClaimRows), which ends the run early.
  const std::string sql =
      std::string("SELECT MIN(CASE WHEN status = 'processing' AND lease_expires_us > $2 ") +
      "THEN lease_expires_us ELSE $2 END) FROM " + RawRowsTableName(table) + " WHERE " +
      OpenRowsOf(table, "$1");
  MLW_ASSIGN_OR_RETURN(store::Rows rows, db.Query(sql, {user_id, now_us}));
  if (rows.empty() || rows[0].IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(rows[0].Int(0));
}

Status RetryWhileLeasedElsewhere(store::Database& db, RawTable table, int64_t user_id,
                                 int64_t now_us) {
  MLW_ASSIGN_OR_RETURN(std::optional<int64_t> until,
                       EarliestForeignLeaseExpiry(db, table, user_id, now_us));
  if (!until) return Status::Ok();
  const int64_t wait_us = std::max<int64_t>(*until - now_us, 1);
  const int64_t seconds = std::min<int64_t>((wait_us + 999'999) / 1'000'000, INT32_MAX);
  return Status::RetryLater(std::string(DomainName(table)) + " rows of user " +
                                std::to_string(user_id) + " are not done; retry in " +
                                std::to_string(seconds) + " s",
                            static_cast<int>(seconds));
}

Result<int64_t> ReopenRows(store::Database& db, RawTable table, int64_t user_id, bool failed_only) {
  int64_t reopened = 0;
  const std::string rows = RawRowsTableName(table);
  const std::string key = RawTableName(table);
  MLW_RETURN_IF_ERROR(db.InTransaction([&](store::Connection& conn) -> Status {
    if (FinishesByWatermark(table, conn.dialect())) {
      // Rows finished by the watermark get what the view (named `key`) reads for them, which the
      // reset below would otherwise take away; the view stays the one definition of it.
      MLW_RETURN_IF_ERROR(
          conn.Exec("UPDATE " + rows +
                        " SET (status, lease_owner, lease_expires_us, attempts, finished_at_us) = "
                        "(SELECT v.status, v.lease_owner, v.lease_expires_us, v.attempts, "
                        "v.finished_at_us FROM " +
                        key + " v WHERE v.id = " + rows + ".id) WHERE user_id = $1 AND " +
                        "finished_at_us IS NULL AND id IN (SELECT id FROM " + key +
                        " WHERE user_id = $1 AND status = 'processed')",
                    {user_id})
              .status());
      MLW_RETURN_IF_ERROR(
          conn.Exec("DELETE FROM raw_finished_below WHERE user_id = $1 AND table_name = $2",
                    {user_id, key})
              .status());
    }
    MLW_ASSIGN_OR_RETURN(
        reopened,
        conn.Exec("UPDATE " + rows +
                      " SET status = 'pending', finished_at_us = NULL, error = NULL, "
                      "lease_owner = NULL, lease_expires_us = NULL WHERE user_id = $1 AND " +
                      "finished_at_us IS NOT NULL" + (failed_only ? " AND status = 'failed'" : ""),
                  {user_id}));
    // The next run scans the user's rows from the first one and sets the watermark again.
    return conn
        .Exec("DELETE FROM raw_open_from WHERE user_id = $1 AND table_name = $2", {user_id, key})
        .status();
  }));
  return reopened;
}

Result<std::vector<int64_t>> UsersWithClaimableRows(store::Database& db, RawTable table,
                                                    int64_t now_us, int64_t limit) {
  const std::string t = RawRowsTableName(table);
  // PostgreSQL's partial index holds exactly the open rows of all users. SQLite has no index of
  // open rows across users, so it asks per user, from each one's watermark.
  const std::string sql =
      db.dialect() == store::Dialect::kPostgres
          ? "SELECT DISTINCT user_id FROM " + t + " WHERE finished_at_us IS NULL AND " +
                Claimable("$1") + " ORDER BY user_id LIMIT $2"
          : "SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM " + t + " WHERE " +
                OpenRowsOf(table, "u.id") + " AND " + Claimable("$1") + ") ORDER BY u.id LIMIT $2";
  MLW_ASSIGN_OR_RETURN(store::Rows rows, db.Query(sql, {now_us, limit}));
  std::vector<int64_t> users;
  users.reserve(rows.size());
  for (const auto& r : rows) users.push_back(r.Int(0));
  return users;
}

}  // namespace mlw::pipelines
