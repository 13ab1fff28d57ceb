#include "store/database_factory.h"

#include <map>
#include <mutex>

#include "store/sqlite_database.h"

namespace mlw::store {
namespace {

struct Scheme {
  std::string example;
  DatabaseOpener opener;
};

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}

std::map<std::string, Scheme>& Registry() {
  static std::map<std::string, Scheme> schemes;
  return schemes;
}

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& url,
                                             const DatabaseOptions& options) {
  std::string path = url.substr(std::string("sqlite://").size());
  if (path.empty()) {
    return InvalidArgument("database URL '" + url +
                           "' has no path; use sqlite:///abs/path/mlworker.db or "
                           "sqlite://relative/path.db");
  }
  MLW_ASSIGN_OR_RETURN(auto db, SqliteDatabase::Open(path, options));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace

void RegisterDatabaseScheme(const std::string& scheme, const std::string& example,
                            DatabaseOpener opener) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry()[scheme] = Scheme{example, std::move(opener)};
}

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url,
                                               const DatabaseOptions& options) {
  size_t sep = url.find("://");
  std::string scheme = sep == std::string::npos ? "" : url.substr(0, sep);
  if (scheme == "sqlite") return OpenSqlite(url, options);
  DatabaseOpener opener;
  std::string accepted = "sqlite:///abs/path/mlworker.db, sqlite://relative/path.db";
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    auto it = Registry().find(scheme);
    if (it != Registry().end()) opener = it->second.opener;
    for (const auto& [name, s] : Registry()) accepted += ", " + s.example;
  }
  if (!opener) {
    // The URL itself is not echoed: it may carry a password.
    return InvalidArgument(
        "unsupported database URL scheme '" + scheme + "://'; accepted forms: " + accepted,
        "InvalidDatabaseUrl");
  }
  return opener(url, options);
}

}  // namespace mlw::store
