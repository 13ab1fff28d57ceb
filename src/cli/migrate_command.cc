#include <cstdlib>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "store/database_factory.h"
#include "store/migrations.h"

namespace mlw::cli {
namespace {

constexpr const char* kDefaultDatabaseUrl = "sqlite://mlworker-data/mlworker.db";

}  // namespace

void AddMigrateCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("migrate", "Apply pending database schema migrations");
  auto url = std::make_shared<std::string>();
  cmd->add_option(
      "--database-url", *url,
      "Database URL (default: $DATABASE_URL, else " + std::string(kDefaultDatabaseUrl) + ")");
  cmd->callback([url] {
    std::string target = *url;
    if (target.empty()) {
      const char* env = std::getenv("DATABASE_URL");
      target = env && *env ? env : kDefaultDatabaseUrl;
    }
    auto db = store::OpenDatabase(target);
    if (!db.ok()) {
      std::cerr << "mlworker migrate: " << db.status().ToString() << "\n";
      throw CommandExit{1};
    }
    auto result = store::Migrate(**db);
    if (!result.ok()) {
      std::cerr << "mlworker migrate: " << result.status().ToString() << "\n";
      throw CommandExit{1};
    }
    std::cout << "schema at version " << result->to_version << " (was " << result->from_version
              << ", applied " << result->applied << ")\n";
  });
}

}  // namespace mlw::cli
