#include "pipelines/users.h"

namespace mlw::pipelines {
namespace {

constexpr const char* kSelect = "SELECT id, timezone, created_at_us FROM users WHERE id = $1";

Result<User> FromRows(const store::Rows& rows, int64_t user_id) {
  if (rows.empty())
    return NotFound("user " + std::to_string(user_id) + " does not exist", "NoSuchUser");
  return User{rows[0].Int(0), rows[0].Text(1), rows[0].Int(2)};
}

Result<TimeZone> ZoneOf(const User& user) {
  auto zone = TimeZone::Find(user.timezone);
  if (!zone.ok()) {
    return FailedPrecondition("user " + std::to_string(user.id) + " has timezone '" +
                              user.timezone + "' that the tz database does not know");
  }
  return zone;
}

}  // namespace

Result<User> CreateUser(store::Database& db, const Clock& clock, const std::string& timezone) {
  std::string name = timezone.empty() ? "UTC" : timezone;
  MLW_RETURN_IF_ERROR(TimeZone::Find(name).status());
  User user{0, name, clock.NowMicros()};
  MLW_ASSIGN_OR_RETURN(store::Rows rows,
                       db.Query("INSERT INTO users (timezone, created_at_us) VALUES ($1, $2) "
                                "RETURNING id",
                                {user.timezone, user.created_at_us}));
  user.id = rows.at(0).Int(0);
  return user;
}

Result<User> GetUser(store::Connection& conn, int64_t user_id) {
  MLW_ASSIGN_OR_RETURN(store::Rows rows, conn.Query(kSelect, {user_id}));
  return FromRows(rows, user_id);
}

Result<User> GetUser(store::Database& db, int64_t user_id) {
  MLW_ASSIGN_OR_RETURN(store::Rows rows, db.Query(kSelect, {user_id}));
  return FromRows(rows, user_id);
}

Result<TimeZone> UserZone(store::Connection& conn, int64_t user_id) {
  MLW_ASSIGN_OR_RETURN(User user, GetUser(conn, user_id));
  return ZoneOf(user);
}

Result<TimeZone> UserZone(store::Database& db, int64_t user_id) {
  MLW_ASSIGN_OR_RETURN(User user, GetUser(db, user_id));
  return ZoneOf(user);
}

}  // namespace mlw::pipelines
