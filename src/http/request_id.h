// Request ids: random UUIDs (version 4, lower-case), the form AWS uses for x-amzn-RequestId.
#pragma once

#include <string>

namespace mlw::http {

// Thread-safe.
std::string NewRequestId();

}  // namespace mlw::http
