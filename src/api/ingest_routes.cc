// POST /v1/users/{id}/vitals|nutrition|labs: validate, write raw rows and record the trigger in one
// transaction (triggers/trigger_outbox.h), then wake the relay. A rejected batch writes nothing and
// lists every bad row in `details`.
#include "api/api_error.h"
#include "api/route_context.h"
#include "pipelines/labs/labs_ingest.h"
#include "pipelines/nutrition/nutrition_ingest.h"
#include "pipelines/row_error.h"
#include "pipelines/vitals/vitals_ingest.h"

namespace mlw::api::internal {
namespace {

// What differs between the three ingest routes.
struct IngestRoute {
  const char* path;
  const char* array_field;          // "samples" | "entries" | "tests"
  std::vector<std::string> fields;  // accepted top-level fields
  const char* job_type;
  // Validates and writes; returns rows accepted.
  std::function<Result<int64_t>(const ApiDeps&, int64_t user_id, const nlohmann::json& body,
                                const pipelines::InTxHook&, std::vector<pipelines::RowError>*)>
      ingest;
};

void AddIngestRoute(RouteContext& ctx, IngestRoute route) {
  ctx.Add("POST", route.path, [&ctx, route](const http::Request& request) {
    http::Response error;
    int64_t user_id = 0;
    if (!ctx.UserIdParam(request, &user_id, &error) || !ctx.Allow(request, user_id, &error)) {
      return error;
    }
    Result<nlohmann::json> body = ParseJsonBody(request, ctx.body_limits());
    if (!body.ok()) {
      if (body.status().reason() == "UnsupportedMediaType") {
        return ErrorResponse(415, "unsupported_media_type", body.status().message());
      }
      return StatusResponse(body.status());
    }
    nlohmann::json details = nlohmann::json::array();
    Status fields = RejectUnknownFields(*body, route.fields, "the request body", &details);
    if (!fields.ok()) return StatusResponse(fields, details);
    const nlohmann::json* items =
        body->contains(route.array_field) ? &(*body)[route.array_field] : nullptr;
    if (items == nullptr || !items->is_array() || items->empty()) {
      return ErrorResponse(400, "invalid_request",
                           std::string("\"") + route.array_field + "\" must be a non-empty array");
    }
    if (items->size() > ctx.options().max_items) {
      return ErrorResponse(
          413, "too_large",
          std::to_string(items->size()) + " " + route.array_field + " in one request; at most " +
              std::to_string(ctx.options().max_items) + " are accepted, split the upload");
    }
    const ApiDeps& d = ctx.deps();
    const int64_t now = d.clock->NowMicros();
    const std::string job_type = route.job_type;
    pipelines::InTxHook record_trigger = [&](store::Connection& tx) -> Status {
      return triggers::TriggerOutbox::Record(tx, user_id, job_type, now).status();
    };
    std::vector<pipelines::RowError> rejected;
    Result<int64_t> accepted = route.ingest(d, user_id, *body, record_trigger, &rejected);
    if (!accepted.ok())
      return StatusResponse(accepted.status(), pipelines::RowErrorsToJson(rejected));
    if (d.after_ingest) d.after_ingest();
    return JsonResponse(202, {{"accepted", *accepted}, {"status", "pending"}});
  });
}

}  // namespace

void AddIngestRoutes(RouteContext& ctx) {
  AddIngestRoute(ctx, {"/v1/users/{id}/vitals",
                       "samples",
                       {"samples"},
                       "process_pending_vitals",
                       [](const ApiDeps& d, int64_t user, const nlohmann::json& body,
                          const pipelines::InTxHook& hook,
                          std::vector<pipelines::RowError>* rejected) -> Result<int64_t> {
                         MLW_ASSIGN_OR_RETURN(auto receipt, pipelines::vitals::IngestVitals(
                                                                *d.db, *d.clock, user,
                                                                body["samples"], hook, rejected));
                         return receipt.accepted;
                       }});
  AddIngestRoute(ctx, {"/v1/users/{id}/nutrition",
                       "entries",
                       {"entries"},
                       "process_pending_nutrition",
                       [](const ApiDeps& d, int64_t user, const nlohmann::json& body,
                          const pipelines::InTxHook& hook,
                          std::vector<pipelines::RowError>* rejected) -> Result<int64_t> {
                         return pipelines::nutrition::IngestNutrition(
                             *d.db, *d.clock, user, body["entries"], hook, rejected);
                       }});
  AddIngestRoute(ctx, {"/v1/users/{id}/labs",
                       "tests",
                       {"report_date", "lab_name", "tests"},
                       "process_pending_labs",
                       [](const ApiDeps& d, int64_t user, const nlohmann::json& body,
                          const pipelines::InTxHook& hook,
                          std::vector<pipelines::RowError>* rejected) -> Result<int64_t> {
                         MLW_ASSIGN_OR_RETURN(
                             auto receipt, pipelines::labs::IngestLabReport(*d.db, *d.clock, user,
                                                                            body, hook, rejected));
                         return receipt.tests;
                       }});
}

}  // namespace mlw::api::internal
