#include "worker/user_lease.h"

namespace mlw::worker {
namespace {

// Takes the row when it is free or expired; a live lease of another owner makes the conditional
// update a no-op, so the statement changes 0 rows. Both dialects report that as 0 changes.
constexpr const char* kAcquireSql =
    "INSERT INTO worker_user_leases (user_id, owner, expires_at_ms, acquired_at_ms) "
    "VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (user_id) DO UPDATE SET owner = excluded.owner, "
    "expires_at_ms = excluded.expires_at_ms, acquired_at_ms = excluded.acquired_at_ms "
    "WHERE worker_user_leases.expires_at_ms <= $4 OR worker_user_leases.owner = $2";

constexpr const char* kRenewSql =
    "UPDATE worker_user_leases SET expires_at_ms = $3 WHERE user_id = $1 AND owner = $2";

constexpr const char* kReleaseSql =
    "DELETE FROM worker_user_leases WHERE user_id = $1 AND owner = $2";

}  // namespace

Result<std::vector<bool>> DatabaseUserLeases::TryAcquire(const std::vector<LeaseRequest>& requests,
                                                         int ttl_seconds) {
  std::vector<bool> granted(requests.size(), false);
  if (requests.empty()) return granted;
  Status s = db_->InTransaction([&](store::Connection& conn) -> Status {
    int64_t now = clock_->NowMillis();
    int64_t expires = now + int64_t{ttl_seconds} * 1000;
    for (size_t i = 0; i < requests.size(); ++i) {
      MLW_ASSIGN_OR_RETURN(
          int64_t changed,
          conn.Exec(kAcquireSql, {requests[i].user_id, requests[i].owner, expires, now}));
      granted[i] = changed > 0;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return granted;
}

Result<std::vector<bool>> DatabaseUserLeases::Renew(const std::vector<LeaseRequest>& requests,
                                                    int ttl_seconds) {
  std::vector<bool> held(requests.size(), false);
  if (requests.empty()) return held;
  Status s = db_->InTransaction([&](store::Connection& conn) -> Status {
    int64_t expires = clock_->NowMillis() + int64_t{ttl_seconds} * 1000;
    for (size_t i = 0; i < requests.size(); ++i) {
      MLW_ASSIGN_OR_RETURN(int64_t changed,
                           conn.Exec(kRenewSql, {requests[i].user_id, requests[i].owner, expires}));
      held[i] = changed > 0;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return held;
}

Status DatabaseUserLeases::Release(const std::vector<LeaseRequest>& requests) {
  if (requests.empty()) return Status::Ok();
  return db_->InTransaction([&](store::Connection& conn) -> Status {
    for (const auto& r : requests) {
      MLW_ASSIGN_OR_RETURN(int64_t changed, conn.Exec(kReleaseSql, {r.user_id, r.owner}));
      (void)changed;
    }
    return Status::Ok();
  });
}

}  // namespace mlw::worker
