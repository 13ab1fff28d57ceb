// PostgreSQL connection URLs, shared by the PostgreSQL queue (queue layer) and the PostgreSQL
// Database (store layer, which sits above the queue layer and reuses this module).
//
//   postgresql://[user[:password]@][host[:port]][,host2[:port2]…][/dbname][?param=value&…]
//   postgres://…                     (the same)
//
// Hosts may be names, IPv4 addresses, bracketed IPv6 addresses ([::1]:5432) or percent-encoded
// Unix-socket directories (%2Fvar%2Frun%2Fpostgresql). Several hosts give libpq's fail-over list.
// Query parameters are libpq connection parameters (sslmode, connect_timeout, application_name,
// target_session_attrs, …) except those the caller declares its own (the queue's `queue=`).
//
// Errors never repeat the password: messages show the URL with the password replaced by "***".
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace mlw::pg {

struct PgUrl {
  // libpq keyword/value pairs (host, port, user, password, dbname and query parameters), ready for
  // PQconnectdbParams; several hosts are joined with commas as libpq expects.
  std::vector<std::pair<std::string, std::string>> keywords;
  // Query parameters the caller declared as its own, decoded.
  std::map<std::string, std::string> own_params;
  // The URL with any password masked, for logs and errors.
  std::string redacted;
};

// Parses and checks `url`. Every problem fails with kInvalidArgument (reason "InvalidDatabaseUrl")
// naming the part at fault and the form that would be right, e.g. a host that carries its port
// twice ("db:5432:5432"), a port out of 1..65535, an unknown connection parameter.
Result<PgUrl> ParsePostgresUrl(const std::string& url,
                               const std::set<std::string>& own_params = {});

}  // namespace mlw::pg
