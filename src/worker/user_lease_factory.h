// Picks the per-user lease mechanism for a worker's database: lock-file leases next to an embedded
// SQLite database (one machine; see file_user_lease.h), database rows otherwise (PostgreSQL:
// workers on many machines; see user_lease.h).
#pragma once

#include <memory>

#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"
#include "worker/user_lease.h"

namespace mlw::worker {

// `db` and `clock` must outlive the result. The lease file of SQLite database `<path>` is
// `<path>.leases`, with its gate file `<path>.leases.gate`; an in-memory SQLite database gets
// database rows.
Result<std::unique_ptr<UserLeases>> OpenUserLeases(store::Database* db, const Clock* clock);

}  // namespace mlw::worker
