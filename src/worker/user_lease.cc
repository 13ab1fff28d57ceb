#include "worker/user_lease.h"

#include <set>
#include <utility>

namespace mlw::worker {
namespace {

// Statements cover at most this many leases; longer requests are split.
constexpr size_t kChunk = 100;

std::string Placeholders(size_t first, size_t count, size_t step = 1) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += "$" + std::to_string(first + i * step);
  }
  return out;
}

// One multi-row upsert per chunk, atomic as a single statement: a row is taken when free,
// expired or already this owner's; a live lease of another owner makes the conditional update a
// no-op, and RETURNING lists only the rows actually inserted or updated (both dialects).
// REQUIRES: distinct user ids (PostgreSQL refuses to update one row twice in a statement).
std::string AcquireSql(size_t n) {
  std::string sql =
      "INSERT INTO worker_user_leases (user_id, owner, expires_at_us, acquired_at_us) VALUES ";
  const std::string expires = "$" + std::to_string(2 * n + 1);
  const std::string now = "$" + std::to_string(2 * n + 2);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) sql += ", ";
    sql += "($" + std::to_string(2 * i + 1) + ", $" + std::to_string(2 * i + 2) + ", " + expires +
           ", " + now + ")";
  }
  sql +=
      " ON CONFLICT (user_id) DO UPDATE SET owner = excluded.owner, "
      "expires_at_us = excluded.expires_at_us, acquired_at_us = excluded.acquired_at_us "
      "WHERE worker_user_leases.expires_at_us <= excluded.acquired_at_us "
      "OR worker_user_leases.owner = excluded.owner RETURNING user_id, owner";
  return sql;
}

// Owners are unique per acquisition, so `user_id IN (…) AND owner IN (…)` matches exactly the
// requested (user, owner) pairs while using the primary key.
std::string PairFilter(size_t first, size_t n) {
  return "user_id IN (" + Placeholders(first, n) + ") AND owner IN (" + Placeholders(first + n, n) +
         ")";
}

void AppendPairs(const std::vector<LeaseRequest>& requests, size_t begin, size_t end,
                 std::vector<store::Value>* params) {
  for (size_t i = begin; i < end; ++i)
    params->emplace_back(std::in_place_type<int64_t>, requests[i].user_id);
  for (size_t i = begin; i < end; ++i)
    params->emplace_back(std::in_place_type<std::string>, requests[i].owner);
}

std::set<std::pair<int64_t, std::string>> Returned(const store::Rows& rows) {
  std::set<std::pair<int64_t, std::string>> out;
  for (const auto& r : rows) out.emplace(r.Int(0), r.Text(1));
  return out;
}

}  // namespace

Result<std::vector<bool>> DatabaseUserLeases::TryAcquire(const std::vector<LeaseRequest>& requests,
                                                         int ttl_seconds) {
  std::vector<bool> granted(requests.size(), false);
  // A user named twice competes with itself: only its first request is asked for.
  std::vector<size_t> asked;
  std::set<int64_t> users;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (users.insert(requests[i].user_id).second) asked.push_back(i);
  }
  const int64_t now = clock_->NowMicros();
  const int64_t expires = now + int64_t{ttl_seconds} * 1'000'000;
  for (size_t begin = 0; begin < asked.size(); begin += kChunk) {
    const size_t end = std::min(asked.size(), begin + kChunk);
    std::vector<store::Value> params;
    for (size_t k = begin; k < end; ++k) {
      params.emplace_back(std::in_place_type<int64_t>, requests[asked[k]].user_id);
      params.emplace_back(std::in_place_type<std::string>, requests[asked[k]].owner);
    }
    params.emplace_back(std::in_place_type<int64_t>, expires);
    params.emplace_back(std::in_place_type<int64_t>, now);
    MLW_ASSIGN_OR_RETURN(store::Rows rows, db_->Query(AcquireSql(end - begin), params));
    auto got = Returned(rows);
    for (size_t k = begin; k < end; ++k) {
      const LeaseRequest& r = requests[asked[k]];
      granted[asked[k]] = got.count({r.user_id, r.owner}) > 0;
    }
  }
  return granted;
}

Result<std::vector<bool>> DatabaseUserLeases::Renew(const std::vector<LeaseRequest>& requests,
                                                    int ttl_seconds) {
  std::vector<bool> held(requests.size(), false);
  const int64_t expires = clock_->NowMicros() + int64_t{ttl_seconds} * 1'000'000;
  for (size_t begin = 0; begin < requests.size(); begin += kChunk) {
    const size_t end = std::min(requests.size(), begin + kChunk);
    std::vector<store::Value> params = {expires};
    AppendPairs(requests, begin, end, &params);
    MLW_ASSIGN_OR_RETURN(store::Rows rows,
                         db_->Query("UPDATE worker_user_leases SET expires_at_us = $1 WHERE " +
                                        PairFilter(2, end - begin) + " RETURNING user_id, owner",
                                    params));
    auto got = Returned(rows);
    for (size_t i = begin; i < end; ++i) {
      held[i] = got.count({requests[i].user_id, requests[i].owner}) > 0;
    }
  }
  return held;
}

Status DatabaseUserLeases::Release(const std::vector<LeaseRequest>& requests) {
  for (size_t begin = 0; begin < requests.size(); begin += kChunk) {
    const size_t end = std::min(requests.size(), begin + kChunk);
    std::vector<store::Value> params;
    AppendPairs(requests, begin, end, &params);
    MLW_ASSIGN_OR_RETURN(
        int64_t deleted,
        db_->Exec("DELETE FROM worker_user_leases WHERE " + PairFilter(1, end - begin), params));
    (void)deleted;
  }
  return Status::Ok();
}

}  // namespace mlw::worker
