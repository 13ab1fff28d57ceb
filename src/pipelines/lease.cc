#include "pipelines/lease.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <random>

#include "pipelines/process_options.h"

namespace mlw::pipelines {
namespace {

// Every query repeats `finished_at_us IS NULL` (equivalent to status pending or processing, by a
// CHECK constraint) literally so that SQLite can use the partial index `<table>_open`, which holds
// only the rows still to do.
constexpr const char* kOpen = "finished_at_us IS NULL";
// Open rows a run may take at the time bound to `now_param` ("$2"): pending, or left `processing`
// by a run whose lease has expired by then.
std::string Claimable(const char* now_param) {
  return std::string("(status = 'pending' OR lease_expires_us <= ") + now_param + ")";
}

}  // namespace

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
  const std::string t = RawTableName(table);
  // The table name and column list are constants of this program, never request values.
  const std::string claimable =
      std::string(" WHERE user_id = $3 AND ") + kOpen + " AND " + Claimable("$4");
  // The oldest `limit` claimable rows, bounded by id rather than `id IN (subquery)`, which lets
  // SQLite update in one pass over the partial index.
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
  return conn.Query("SELECT " + columns + " FROM " + t + " WHERE user_id = $1 AND " + kOpen +
                        " AND status = 'processing' AND lease_owner = $2 ORDER BY id",
                    {user_id, owner});
}

Result<store::Rows> ReadClaimableRows(store::Connection& conn, RawTable table,
                                      const std::string& columns, int64_t user_id, int64_t now_us,
                                      int64_t limit) {
  return conn.Query("SELECT " + columns + " FROM " + RawTableName(table) +
                        " WHERE user_id = $1 AND " + kOpen + " AND " + Claimable("$2") +
                        " ORDER BY id LIMIT $3",
                    {user_id, now_us, limit});
}

Result<int64_t> MarkReadRowsProcessed(store::Connection& conn, RawTable table, int64_t user_id,
                                      int64_t last_id, int64_t read_at_us, int64_t now_us) {
  // Claimable as of the read's time: a lease that expired since was not read and stays as it is.
  const std::string sql = std::string("UPDATE ") + RawTableName(table) +
                          " SET status = 'processed', finished_at_us = $4, lease_owner = NULL, "
                          "lease_expires_us = NULL, error = NULL, attempts = attempts + 1 "
                          "WHERE user_id = $1 AND " +
                          kOpen + " AND " + Claimable("$2") + " AND id <= $3";
  return conn.Exec(sql, {user_id, read_at_us, last_id, now_us});
}

Status MarkReadRowFailed(store::Connection& conn, RawTable table, int64_t raw_id,
                         const std::string& error, int64_t now_us) {
  const std::string sql = std::string("UPDATE ") + RawTableName(table) +
                          " SET status = 'failed', error = $1, finished_at_us = $2, "
                          "lease_owner = NULL, lease_expires_us = NULL, attempts = attempts + 1 "
                          "WHERE id = $3 AND " +
                          kOpen;
  return conn.Exec(sql, {error, now_us, raw_id}).status();
}

Result<int64_t> CountOpenRows(store::Connection& conn, RawTable table, int64_t user_id,
                              int64_t limit) {
  const std::string sql = std::string("SELECT COUNT(*) FROM (SELECT 1 FROM ") +
                          RawTableName(table) + " WHERE user_id = $1 AND " + kOpen +
                          " LIMIT $2) AS open_rows";
  MLW_ASSIGN_OR_RETURN(store::Rows rows, conn.Query(sql, {user_id, limit}));
  return rows.empty() ? 0 : rows[0].Int(0);
}

Result<int64_t> MarkClaimedProcessed(store::Connection& conn, RawTable table, int64_t user_id,
                                     const std::string& owner, int64_t now_us) {
  const std::string sql = std::string("UPDATE ") + RawTableName(table) +
                          " SET status = 'processed', finished_at_us = $1, lease_owner = NULL, "
                          "lease_expires_us = NULL, error = NULL WHERE user_id = $2 AND " +
                          kOpen + " AND status = 'processing' AND lease_owner = $3";
  return conn.Exec(sql, {now_us, user_id, owner});
}

Status MarkFailed(store::Connection& conn, RawTable table, int64_t raw_id, const std::string& owner,
                  const std::string& error, int64_t now_us) {
  const std::string sql = std::string("UPDATE ") + RawTableName(table) +
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
      "THEN lease_expires_us ELSE $2 END) FROM " + RawTableName(table) +
      " WHERE user_id = $1 AND " + kOpen;
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

Result<std::vector<int64_t>> UsersWithClaimableRows(store::Database& db, RawTable table,
                                                    int64_t now_us, int64_t limit) {
  const std::string sql = std::string("SELECT DISTINCT user_id FROM ") + RawTableName(table) +
                          " WHERE " + kOpen + " AND " + Claimable("$1") +
                          " ORDER BY user_id LIMIT $2";
  MLW_ASSIGN_OR_RETURN(store::Rows rows, db.Query(sql, {now_us, limit}));
  std::vector<int64_t> users;
  users.reserve(rows.size());
  for (const auto& r : rows) users.push_back(r.Int(0));
  return users;
}

}  // namespace mlw::pipelines
