// The HTTP API's response helpers. Every error leaves as DESIGN.md's shape
// {"error":{"code":"…","message":"…","details":[…]}} with a 4xx/5xx status.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "http/http_message.h"

namespace mlw::api {

http::Response JsonResponse(int status, const nlohmann::json& body);
http::Response ErrorResponse(int status, const std::string& code, const std::string& message,
                             const nlohmann::json& details = nlohmann::json::array());
// Maps a Status to its HTTP status and error code: InvalidArgument 400 (code "validation_failed"
// when reason() is "ValidationFailed", else "invalid_request"), Unauthenticated 401,
// PermissionDenied 403, NotFound 404, FailedPrecondition 409, ResourceExhausted 413, Unavailable
// 503, others 500 (with a generic message: internal details go to the log, not to the client).
http::Response StatusResponse(const Status& status,
                              const nlohmann::json& details = nlohmann::json::array());

}  // namespace mlw::api
