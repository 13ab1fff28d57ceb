// Operational routes: liveness, readiness, Prometheus metrics and the OpenAPI document. They need
// no token, so that load balancers and scrapers can reach them.
#include "api/api_error.h"
#include "api/openapi_document.h"
#include "api/route_context.h"

namespace mlw::api::internal {

void AddOpsRoutes(RouteContext& ctx) {
  ctx.AddInline("GET", "/healthz", [](const http::Request&) {
    return JsonResponse(200, {{"status", "ok"}});
  });

  ctx.Add("GET", "/readyz", [&ctx](const http::Request&) {
    nlohmann::json checks = nlohmann::json::object();
    bool ready = true;
    Status db = ctx.deps().db->Query("SELECT 1").status();
    checks["database"] = db.ok() ? "ok" : db.ToString();
    ready &= db.ok();
    Status q = ctx.deps().queue->GetQueueAttributes(ctx.deps().queue_name, {"QueueArn"}).status();
    checks["queue"] = q.ok() ? "ok" : q.ToString();
    ready &= q.ok();
    return JsonResponse(ready ? 200 : 503,
                        {{"status", ready ? "ready" : "not_ready"}, {"checks", checks}});
  });

  ctx.Add("GET", "/metrics", [&ctx](const http::Request&) {
    std::string text = ctx.deps().metrics ? ctx.deps().metrics->RenderText() : std::string();
    return http::Response::Text(200, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
  });

  ctx.AddInline("GET", "/openapi.yaml", [](const http::Request&) {
    return http::Response::Text(200, std::string(OpenApiDocument()), "application/yaml");
  });
}

}  // namespace mlw::api::internal
