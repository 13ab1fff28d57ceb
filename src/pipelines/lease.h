// Claiming raw rows of one user under a lease (DESIGN.md "Jobs and idempotency",
// docs/idempotency.md). The three raw tables share the status/lease columns; these helpers hold the
// SQL for all of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/database.h"

namespace mlw::pipelines {

enum class RawTable { kVitals, kNutrition, kLabs };

const char* RawTableName(RawTable table);
// "vitals" | "nutrition" | "labs".
const char* DomainName(RawTable table);

// Leases up to `limit` claimable rows of `user_id` (pending, or processing with an expired lease)
// to `owner` until `lease_until`, returning the requested `columns` of each claimed row (a constant
// column list such as "id, metric, value"), oldest first. REQUIRES: inside a transaction,
// limit >= 1.
Result<store::Rows> ClaimRows(store::Connection& conn, RawTable table, const std::string& columns,
                              int64_t user_id, const std::string& owner, int64_t now_us,
                              int64_t lease_until_us, int64_t limit);

// Rows of `user_id` not finished yet (pending, or processing under any lease), counting no
// further than `limit`. Answered from the partial index alone, so cheap enough to decide how to
// process them. REQUIRES: inside the transaction that relies on the count.
Result<int64_t> CountOpenRows(store::Connection& conn, RawTable table, int64_t user_id,
                              int64_t limit);

// Reads up to `limit` claimable rows of `user_id` like ClaimRows, oldest first, without leasing
// them. REQUIRES: inside a write transaction of a store that has one writer at a time (SQLite),
// and the rows are finished (MarkReadRowFailed, then MarkReadRowsProcessed) in that same
// transaction: nobody else can claim them before it commits, and if it does not commit they stay
// as they were. A lease written and cleared inside that transaction could never be seen, so none
// is written.
Result<store::Rows> ReadClaimableRows(store::Connection& conn, RawTable table,
                                      const std::string& columns, int64_t user_id, int64_t now_us,
                                      int64_t limit);

// Marks processed, counting the attempt, what ReadClaimableRows(…, user_id, read_at_us, …) returned
// up to id `last_id` and MarkReadRowFailed did not fail. REQUIRES: the transaction that read them.
Result<int64_t> MarkReadRowsProcessed(store::Connection& conn, RawTable table, int64_t user_id,
                                      int64_t last_id, int64_t read_at_us, int64_t now_us);

// Marks one row read by ReadClaimableRows failed with `error`, counting the attempt.
Status MarkReadRowFailed(store::Connection& conn, RawTable table, int64_t raw_id,
                         const std::string& error, int64_t now_us);

// Marks every row still leased to `owner` processed.
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

// Users with claimable rows (pending, or processing with an expired lease), ascending, at most
// `limit`; for aggregation mode's sweep.
Result<std::vector<int64_t>> UsersWithClaimableRows(store::Database& db, RawTable table,
                                                    int64_t now_us, int64_t limit);

}  // namespace mlw::pipelines
