#include "pipelines/row_error.h"

namespace mlw::pipelines {

nlohmann::json RowErrorsToJson(const std::vector<RowError>& errors) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : errors) {
    out.push_back({{"index", e.index}, {"field", e.field}, {"reason", e.reason}});
  }
  return out;
}

Status ValidationFailed(const std::vector<RowError>& errors, size_t total, const char* noun) {
  std::string msg = "batch rejected, nothing was stored: " + std::to_string(errors.size()) +
                    " error(s) in " + std::to_string(total) + " " + noun;
  if (!errors.empty()) {
    const auto& e = errors.front();
    msg += "; first: [" + std::to_string(e.index) + "]" + (e.field.empty() ? "" : "." + e.field) +
           ": " + e.reason;
  }
  return InvalidArgument(msg, "ValidationFailed");
}

}  // namespace mlw::pipelines
