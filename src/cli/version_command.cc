#include <iostream>

#include "cli/commands.h"

namespace mlw::cli {

void AddVersionCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print the version and build information");
  cmd->callback([] { std::cout << "mlworker " << MLW_VERSION << "\n"; });
}

}  // namespace mlw::cli
