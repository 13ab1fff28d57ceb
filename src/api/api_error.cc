#include "api/api_error.h"

#include "core/log.h"

namespace mlw::api {

http::Response JsonResponse(int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.SetHeader("Content-Type", "application/json");
  return r;
}

http::Response ErrorResponse(int status, const std::string& code, const std::string& message,
                             const nlohmann::json& details) {
  return JsonResponse(status,
                      {{"error", {{"code", code}, {"message", message}, {"details", details}}}});
}

http::Response StatusResponse(const Status& status, const nlohmann::json& details) {
  switch (status.code()) {
    case StatusCode::kOk:
      return JsonResponse(200, nlohmann::json::object());
    case StatusCode::kInvalidArgument:
      return ErrorResponse(
          400, status.reason() == "ValidationFailed" ? "validation_failed" : "invalid_request",
          status.message(), details);
    case StatusCode::kUnauthenticated:
      return ErrorResponse(401, "unauthenticated", status.message(), details);
    case StatusCode::kPermissionDenied:
      return ErrorResponse(403, "forbidden", status.message(), details);
    case StatusCode::kNotFound:
      return ErrorResponse(404, "not_found", status.message(), details);
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return ErrorResponse(409, "conflict", status.message(), details);
    case StatusCode::kResourceExhausted:
      return ErrorResponse(413, "too_large", status.message(), details);
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kRetryLater:
      return ErrorResponse(503, "unavailable", status.message(), details);
    case StatusCode::kInternal:
      break;
  }
  log::Error("api_internal_error", {{"status", status.ToString()}});
  return ErrorResponse(500, "internal", "internal error; the server log has the details", details);
}

}  // namespace mlw::api
