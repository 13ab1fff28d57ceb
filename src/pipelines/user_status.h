// Per-user processing status across domains (GET /v1/users/{id}/status) and the aggregation-mode
// sweep. Thread-safe as far as the Database is.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "pipelines/lease.h"
#include "store/database.h"

namespace mlw::pipelines {

struct DomainStatus {
  std::string domain;  // vitals | nutrition | labs
  int64_t pending = 0;
  int64_t processing = 0;
  int64_t failed = 0;
};

struct UserStatus {
  int64_t user_id = 0;
  std::vector<DomainStatus> domains;
  // {"user_id":…, "vitals":{"pending","processing","failed"}, "nutrition":{…}, "labs":{…}}
  nlohmann::json ToJson() const;
};

// kNotFound for an unknown user.
Result<UserStatus> QueryUserStatus(store::Database& db, int64_t user_id);

// The trigger job type of a domain: process_pending_vitals | _nutrition | _labs.
const char* JobTypeFor(RawTable table);

struct SweepItem {
  std::string job_type;
  int64_t user_id = 0;
};

// Every (job type, user) with claimable rows — pending, or processing with an expired lease —
// at most `limit_per_domain` users per domain. Aggregation mode runs the handlers for these.
Result<std::vector<SweepItem>> Sweep(store::Database& db, const Clock& clock,
                                     int64_t limit_per_domain = 1000);

}  // namespace mlw::pipelines
