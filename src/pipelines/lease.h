// Claiming raw rows of one user under a lease (DESIGN.md "Jobs and idempotency",
// docs/idempotency.md). The three raw tables share the status/lease columns; these helpers hold the
// SQL for all of them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/database.h"

namespace mlw::pipelines {

enum class RawTable { kVitals, kNutrition, kLabs };

// The name apps read the table's rows by (for vitals a view, see RawRowsTableName); also the key
// of the table's watermark in raw_open_from.
const char* RawTableName(RawTable table);
// The table that stores the rows: "vitals_raw_rows" under the view vitals_raw_data (whose rows
// below the user's watermark may be finished without a status of their own, see
// FinishesByWatermark), the raw table itself for the others. Every write and every query of open
// or failed rows goes here.
const char* RawRowsTableName(RawTable table);
// Whether MarkReadRowsProcessed may finish rows of `table` by moving the user's watermark past
// them instead of rewriting them (docs/idempotency.md, "Status below the watermark"): only where
// the rows are read through a view that derives their status (vitals), and only on SQLite.
bool FinishesByWatermark(RawTable table, store::Dialect dialect);
// "vitals" | "nutrition" | "labs".
const char* DomainName(RawTable table);

// SQL condition on `table` for the open rows (pending or processing) of the user that `user` names
// (a placeholder such as "$1", or a column of an outer query); every query of open rows uses it. On
// SQLite these are the user's rows from the watermark in `raw_open_from` on (docs/idempotency.md,
// "Finding open rows"), scanned through the index on user_id; on PostgreSQL the watermark is always
// 0 and the partial index `<table>_open` on `finished_at_us IS NULL` (equivalent to an open status,
// by a CHECK) holds them.
std::string OpenRowsOf(RawTable table, const std::string& user);

// Leases up to `limit` claimable rows of `user_id` (pending, or processing with an expired lease)
// to `owner` until `lease_until`, returning the requested `columns` of each claimed row (a constant
// column list such as "id, metric, value"), oldest first. REQUIRES: inside a transaction,
// limit >= 1.
Result<store::Rows> ClaimRows(store::Connection& conn, RawTable table, const std::string& columns,
                              int64_t user_id, const std::string& owner, int64_t now_us,
                              int64_t lease_until_us, int64_t limit);

// Rows of `user_id` not finished yet (pending, or processing under any lease), counting no
// further than `limit`. REQUIRES: inside the transaction that relies on the count.
Result<int64_t> CountOpenRows(store::Connection& conn, RawTable table, int64_t user_id,
                              int64_t limit);

// What ReadOpenRows saw of a user's open rows.
struct OpenRowsRead {
  int64_t claimed = 0;          // claimable rows handed to the caller
  int64_t open = 0;             // open rows seen, claimable or not: at most the limit
  bool complete = false;        // open < limit: every open row of the user was seen
  int64_t read_at_us = 0;       // the time claimability was judged at
  int64_t last_id = 0;          // id of the last row handed over; 0 when none
  int64_t first_left_open = 0;  // the lowest id that stays open once the rows handed over are
                                // finished; 0 when none does
};

// Reads up to `limit` open rows of `user_id`, oldest first, and hands the first `max_claimable` of
// them claimable at `now_us` (as ClaimRows would take them) to `on_claimable`, as they are read,
// without leasing them: the view holds the requested `columns` first and two more after them.
// REQUIRES: inside a write transaction of a store that has one writer at a time (SQLite), and the
// rows handed over are finished (MarkReadRowFailed, then MarkReadRowsProcessed) in that same
// transaction: nobody else can claim them before it commits, and if it does not commit they stay
// as they were. A lease written and cleared inside that transaction could never be seen, so none
// is written.
Result<OpenRowsRead> ReadOpenRows(store::Connection& conn, RawTable table,
                                  const std::string& columns, int64_t user_id, int64_t now_us,
                                  int64_t limit, int64_t max_claimable,
                                  const std::function<void(const store::RowView&)>& on_claimable);

// Marks processed, counting the attempt, the claimable rows `read` handed over that
// MarkReadRowFailed did not fail, and, when `read` was complete, moves the user's watermark to the
// first row left open, or past the user's last row (docs/idempotency.md, "Finding open rows").
// Where FinishesByWatermark, the rows the watermark passes are not rewritten: the round is
// recorded in raw_finished_below with `now_us`, and the table's view reads them as processed then.
// REQUIRES: the transaction that read them.
Status MarkReadRowsProcessed(store::Connection& conn, RawTable table, int64_t user_id,
                             const OpenRowsRead& read, int64_t now_us);

// Marks one row read by ReadOpenRows failed with `error`, counting the attempt.
Status MarkReadRowFailed(store::Connection& conn, RawTable table, int64_t raw_id,
                         const std::string& error, int64_t now_us);

// Moves the user's watermark to its first open row (SQLite; a no-op on PostgreSQL, whose row ids
// do not follow commit order). Scans the rows from the current watermark on.
Status AdvanceOpenFrom(store::Connection& conn, RawTable table, int64_t user_id);

// Marks every row still leased to `owner` processed, then advances the user's watermark.
Result<int64_t> MarkClaimedProcessed(store::Connection& conn, RawTable table, int64_t user_id,
                                     const std::string& owner, int64_t now_us);

// Marks one leased row failed with `error`.
Status MarkFailed(store::Connection& conn, RawTable table, int64_t raw_id, const std::string& owner,
                  const std::string& error, int64_t now_us);

// When open rows of `user_id` are left, the earliest time a run could claim one: `now_us` for a
// claimable row (pending, or its lease expired), else the earliest expiry of the live leases held
// by other runs (possibly of a worker that died); std::nullopt when no open row is left. A run that
// claimed and finished everything it could calls this to learn whether work is left.
Result<std::optional<int64_t>> EarliestForeignLeaseExpiry(store::Database& db, RawTable table,
                                                          int64_t user_id, int64_t now_us);

// Status::RetryLater (retry when EarliestForeignLeaseExpiry says, rounded up to whole seconds, at
// least 1) when open rows are left, else OK. For job handlers: the message that found its
// user's rows leased elsewhere comes back when they can be reclaimed instead of being acknowledged.
Status RetryWhileLeasedElsewhere(store::Database& db, RawTable table, int64_t user_id,
                                 int64_t now_us);

// Sets the finished rows of `user_id` back to pending (only the failed ones when `failed_only`), so
// that the next run processes them again, and resets the user's watermark. Rows finished by the
// watermark get their status written into them first, so that those staying finished stay so.
// Returns how many rows it reopened. The way to retry rows: an UPDATE by hand would leave them
// below the watermark, where no run looks (SQLite).
Result<int64_t> ReopenRows(store::Database& db, RawTable table, int64_t user_id, bool failed_only);

// Users with claimable rows (pending, or processing with an expired lease), ascending, at most
// `limit`; for aggregation mode's sweep.
Result<std::vector<int64_t>> UsersWithClaimableRows(store::Database& db, RawTable table,
                                                    int64_t now_us, int64_t limit);

}  // namespace mlw::pipelines
