// POST /v1/users (admin) and GET /v1/users/{id}/status.
#include "api/api_error.h"
#include "api/route_context.h"
#include "pipelines/user_status.h"
#include "pipelines/users.h"

namespace mlw::api::internal {

void AddUserRoutes(RouteContext& ctx) {
  ctx.Add("POST", "/v1/users", [&ctx](const http::Request& request) {
    http::Response denied;
    if (!ctx.AllowAdmin(request, &denied)) return denied;
    std::string timezone = "UTC";
    if (!request.body.empty()) {
      Result<nlohmann::json> body = ParseJsonBody(request, ctx.body_limits());
      if (!body.ok()) return StatusResponse(body.status());
      nlohmann::json details = nlohmann::json::array();
      Status fields = RejectUnknownFields(*body, {"timezone"}, "user", &details);
      if (!fields.ok()) return StatusResponse(fields, details);
      if (body->contains("timezone")) {
        if (!(*body)["timezone"].is_string()) {
          return ErrorResponse(400, "invalid_request",
                               "timezone must be a string such as \"Europe/London\"");
        }
        timezone = (*body)["timezone"].get<std::string>();
      }
    }
    const ApiDeps& d = ctx.deps();
    Result<pipelines::User> user = pipelines::CreateUser(*d.db, *d.clock, timezone);
    if (!user.ok()) return StatusResponse(user.status());
    Result<std::string> token = Authenticator::IssueUserToken(*d.db, *d.clock, user->id);
    if (!token.ok()) return StatusResponse(token.status());
    return JsonResponse(201,
                        {{"user_id", user->id}, {"token", *token}, {"timezone", user->timezone}});
  });

  ctx.Add("GET", "/v1/users/{id}/status", [&ctx](const http::Request& request) {
    http::Response error;
    int64_t user_id = 0;
    if (!ctx.UserIdParam(request, &user_id, &error) || !ctx.Allow(request, user_id, &error)) {
      return error;
    }
    Result<pipelines::UserStatus> status = pipelines::QueryUserStatus(*ctx.deps().db, user_id);
    if (!status.ok()) return StatusResponse(status.status());
    return JsonResponse(200, status->ToJson());
  });
}

}  // namespace mlw::api::internal
