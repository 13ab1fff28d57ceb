#include "pipelines/user_status.h"

#include "pipelines/users.h"

namespace mlw::pipelines {

nlohmann::json UserStatus::ToJson() const {
  nlohmann::json out = {{"user_id", user_id}};
  for (const auto& d : domains) {
    out[d.domain] = {{"pending", d.pending}, {"processing", d.processing}, {"failed", d.failed}};
  }
  return out;
}

const char* JobTypeFor(RawTable table) {
  switch (table) {
    case RawTable::kVitals:
      return "process_pending_vitals";
    case RawTable::kNutrition:
      return "process_pending_nutrition";
    case RawTable::kLabs:
      return "process_pending_labs";
  }
  return "";
}

Result<UserStatus> QueryUserStatus(store::Database& db, int64_t user_id) {
  MLW_RETURN_IF_ERROR(GetUser(db, user_id).status());
  UserStatus status{user_id, {}};
  for (RawTable t : {RawTable::kVitals, RawTable::kNutrition, RawTable::kLabs}) {
    const std::string table = RawRowsTableName(t);
    // Open rows from the user's watermark on, failed ones through their partial index.
    MLW_ASSIGN_OR_RETURN(store::Rows open,
                         db.Query("SELECT status, COUNT(*) FROM " + table + " WHERE " +
                                      OpenRowsOf(t, "$1") + " GROUP BY status",
                                  {user_id}));
    MLW_ASSIGN_OR_RETURN(
        store::Rows failed,
        db.Query("SELECT COUNT(*) FROM " + table + " WHERE user_id = $1 AND status = 'failed'",
                 {user_id}));
    DomainStatus d{DomainName(t), 0, 0, failed.at(0).Int(0)};
    for (const auto& r : open) {
      (r.Text(0) == "pending" ? d.pending : d.processing) = r.Int(1);
    }
    status.domains.push_back(d);
  }
  return status;
}

Result<std::vector<SweepItem>> Sweep(store::Database& db, const Clock& clock,
                                     int64_t limit_per_domain) {
  std::vector<SweepItem> items;
  const int64_t now = clock.NowMicros();
  for (RawTable t : {RawTable::kVitals, RawTable::kNutrition, RawTable::kLabs}) {
    MLW_ASSIGN_OR_RETURN(auto users, UsersWithClaimableRows(db, t, now, limit_per_domain));
    for (int64_t u : users) items.push_back({JobTypeFor(t), u});
  }
  return items;
}

}  // namespace mlw::pipelines
