// Per-user leases: at most one job runs for a user at a time, across the threads of a worker and
// across worker processes sharing a database (DESIGN.md "Jobs and idempotency"). Two
// implementations: rows in the database (here; PostgreSQL, workers on many machines) and a lock
// file (file_user_lease.h; embedded SQLite). user_lease_factory.h picks one.
//
// A lease is a row (user_id, owner, expires_at_us). Each acquisition uses a fresh owner token, so
// two jobs of the same process exclude each other like jobs of two processes. A lease whose owner
// died expires by itself; the runtime renews leases from its heartbeat, at the same cadence as it
// extends message visibility, with the same timeout, so a dead worker's message and lease come
// back together.
//
// Expiry compares wall-clock microseconds from the injected Clock of each process: workers sharing
// a database need clocks in sync to well under the lease timeout (same host or NTP).
//
// Thread-safety: safe to call from many threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/database.h"

namespace mlw::worker {

struct LeaseRequest {
  int64_t user_id = 0;
  std::string owner;  // unique per acquisition
};

class UserLeases {
 public:
  virtual ~UserLeases() = default;
  // For each request, in order, whether its lease was taken (free, expired, or already held by the
  // same owner). Atomic per call (one conditional upsert statement per 100 requests, i.e. its own
  // transaction). A user named twice is granted to the first request only.
  virtual Result<std::vector<bool>> TryAcquire(const std::vector<LeaseRequest>& requests,
                                               int ttl_seconds) = 0;
  // Extends leases still held by their owner; false for a lease that was lost (expired and taken).
  virtual Result<std::vector<bool>> Renew(const std::vector<LeaseRequest>& requests,
                                          int ttl_seconds) = 0;
  // Drops leases held by their owner; a lease held by someone else is left alone.
  virtual Status Release(const std::vector<LeaseRequest>& requests) = 0;
};

// Leases in the `worker_user_leases` table (migration 0090_worker_user_leases.sql).
class DatabaseUserLeases final : public UserLeases {
 public:
  // `db` and `clock` must outlive this object.
  DatabaseUserLeases(store::Database* db, const Clock* clock) : db_(db), clock_(clock) {}

  Result<std::vector<bool>> TryAcquire(const std::vector<LeaseRequest>& requests,
                                       int ttl_seconds) override;
  Result<std::vector<bool>> Renew(const std::vector<LeaseRequest>& requests,
                                  int ttl_seconds) override;
  Status Release(const std::vector<LeaseRequest>& requests) override;

 private:
  store::Database* const db_;
  const Clock* const clock_;
};

}  // namespace mlw::worker
