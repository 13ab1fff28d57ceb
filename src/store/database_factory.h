// Opens a Database from a URL (DESIGN.md: DATABASE_URL). Built in:
//   sqlite:///abs/path/mlworker.db   absolute path (three slashes)
//   sqlite://relative/path.db        path relative to the working directory
//   sqlite://:memory:                private in-memory database (tests)
// Other backends (postgresql://, postgres://) register an opener for their scheme at start-up.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "store/database.h"
#include "store/database_options.h"

namespace mlw::store {

using DatabaseOpener = std::function<Result<std::unique_ptr<Database>>(
    const std::string& url, const DatabaseOptions& options)>;

// Makes OpenDatabase accept URLs starting with `scheme` + "://". Thread-safe; call before opening.
// `example` is shown in the error for an unknown scheme, e.g. "postgresql://user@host/db".
void RegisterDatabaseScheme(const std::string& scheme, const std::string& example,
                            DatabaseOpener opener);

// Opens the database named by `url`. An unknown or malformed URL fails with kInvalidArgument
// naming the accepted forms.
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url,
                                               const DatabaseOptions& options = {});

}  // namespace mlw::store
