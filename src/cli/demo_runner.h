// `mlworker run --demo`: loads the demo uploads (demo_data.h) through the running HTTP API, as an
// app would, waits until the worker has processed them, and prints a summary with the curl
// commands to look at the results.
#pragma once

#include <ostream>
#include <string>

#include "cli/all_in_one.h"
#include "core/status.h"

namespace mlw::cli {

// REQUIRES: `node` started. Fails if an upload is rejected or processing does not finish within
// five minutes.
Status RunDemo(AllInOne& node, const std::string& api_url, std::ostream& out);

}  // namespace mlw::cli
