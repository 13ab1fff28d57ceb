#include "api/json_body.h"

#include <algorithm>
#include <cctype>

namespace mlw::api {
namespace {

bool IsJsonContentType(std::string_view v) {
  std::string lower(v.substr(0, v.find(';')));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  return lower == "application/json";
}

}  // namespace

Result<nlohmann::json> ParseJsonBody(const http::Request& request, const BodyLimits& limits) {
  if (!IsJsonContentType(request.Header("Content-Type"))) {
    return InvalidArgument("Content-Type must be application/json, got \"" +
                               std::string(request.Header("Content-Type")) + "\"",
                           "UnsupportedMediaType");
  }
  if (request.body.empty())
    return InvalidArgument("request body is empty; a JSON object is expected");
  bool too_deep = false;
  auto depth_guard = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (static_cast<size_t>(depth) > limits.max_depth) too_deep = true;
    return !too_deep;
  };
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body, depth_guard);
  } catch (const nlohmann::json::parse_error& e) {
    if (too_deep) {
      return InvalidArgument("JSON nested deeper than " + std::to_string(limits.max_depth) +
                             " levels");
    }
    return InvalidArgument("malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  if (too_deep || body.is_discarded()) {
    return InvalidArgument("JSON nested deeper than " + std::to_string(limits.max_depth) +
                           " levels");
  }
  if (!body.is_object()) return InvalidArgument("the request body must be a JSON object");
  return body;
}

Status RejectUnknownFields(const nlohmann::json& object, const std::vector<std::string>& allowed,
                           const std::string& where, nlohmann::json* details) {
  std::string unknown;
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool ok = std::any_of(allowed.begin(), allowed.end(),
                          [&](const std::string& a) { return it.key() == a; });
    if (!ok) {
      details->push_back({{"field", it.key()}, {"reason", "unknown field in " + where}});
      unknown += (unknown.empty() ? "" : ", ") + it.key();
    }
  }
  if (unknown.empty()) return Status::Ok();
  std::string accepted;
  for (const std::string& a : allowed) accepted += (accepted.empty() ? "" : ", ") + a;
  return InvalidArgument("unknown field(s) in " + where + ": " + unknown +
                         " (accepted: " + accepted + ")");
}

}  // namespace mlw::api
