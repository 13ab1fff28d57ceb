#include "worker/user_lease_factory.h"

#include "store/sqlite_database.h"
#include "worker/file_user_lease.h"

namespace mlw::worker {

Result<std::unique_ptr<UserLeases>> OpenUserLeases(store::Database* db, const Clock* clock) {
  if (const auto* sqlite = dynamic_cast<const store::SqliteDatabase*>(db);
      sqlite != nullptr && sqlite->path() != ":memory:") {
    MLW_ASSIGN_OR_RETURN(std::unique_ptr<FileUserLeases> leases,
                         FileUserLeases::Open(sqlite->path() + ".leases"));
    return std::unique_ptr<UserLeases>(std::move(leases));
  }
  return std::unique_ptr<UserLeases>(std::make_unique<DatabaseUserLeases>(db, clock));
}

}  // namespace mlw::worker
