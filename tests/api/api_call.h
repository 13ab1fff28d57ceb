// One JSON call to the HTTP API as an app would make it, for end-to-end tests driving the real
// binary: bearer token, JSON body when given. For tests only.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "http/client.h"

namespace mlw::testing {

// Returns the parsed response body (null when empty or not JSON) and sets `status` to the HTTP
// status, or to -1 when the request itself failed.
inline nlohmann::json CallApi(http::HttpClient& client, const std::string& method,
                              const std::string& target, const std::string& token,
                              const nlohmann::json& body, int* status) {
  http::HeaderList headers = {{"Authorization", "Bearer " + token}};
  std::string text;
  if (!body.is_null()) {
    headers.emplace_back("Content-Type", "application/json");
    text = body.dump();
  }
  auto r = client.Send(method, target, headers, text, std::chrono::seconds(30));
  if (!r.ok()) {
    *status = -1;
    return nullptr;
  }
  *status = r->status;
  return r->body.empty() ? nlohmann::json() : nlohmann::json::parse(r->body, nullptr, false);
}

}  // namespace mlw::testing
