// Users and their IANA timezone (buckets are computed in it; DESIGN.md "HTTP API").
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "core/time_bucket.h"
#include "store/database.h"

namespace mlw::pipelines {

struct User {
  int64_t id = 0;
  std::string timezone;
  int64_t created_at_us = 0;
};

// Creates a user; `timezone` must be an IANA name ("" means UTC). kInvalidArgument otherwise.
Result<User> CreateUser(store::Database& db, const Clock& clock, const std::string& timezone);

// kNotFound if there is no such user.
Result<User> GetUser(store::Connection& conn, int64_t user_id);
Result<User> GetUser(store::Database& db, int64_t user_id);

// The user's zone; kNotFound for an unknown user, kFailedPrecondition if the stored name is no
// longer in the tz database.
Result<TimeZone> UserZone(store::Connection& conn, int64_t user_id);
Result<TimeZone> UserZone(store::Database& db, int64_t user_id);

}  // namespace mlw::pipelines
