// GET aggregates and results. Time ranges are [from, to); absent bounds mean unbounded.
#include <limits>

#include "api/api_error.h"
#include "api/query_params.h"
#include "api/route_context.h"
#include "core/time_bucket.h"
#include "pipelines/labs/labs_query.h"
#include "pipelines/nutrition/nutrition_query.h"
#include "pipelines/vitals/vitals_query.h"

namespace mlw::api::internal {
namespace {

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min() / 2;
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max() / 2;

// Common prologue of the per-user GET routes: user id, access, and the query parameters.
bool Prepare(RouteContext& ctx, const http::Request& request,
             std::initializer_list<const char*> allowed, int64_t* user_id, QueryParams* params,
             http::Response* error) {
  if (!ctx.UserIdParam(request, user_id, error) || !ctx.Allow(request, *user_id, error))
    return false;
  Result<QueryParams> parsed = QueryParams::Parse(request, allowed);
  if (!parsed.ok()) {
    *error = StatusResponse(parsed.status());
    return false;
  }
  *params = std::move(*parsed);
  return true;
}

// Parses `period` and checks it is one the route serves.
Result<Period> PeriodParam(const QueryParams& params, std::initializer_list<Period> accepted) {
  MLW_ASSIGN_OR_RETURN(std::string name, params.Required("period"));
  Result<Period> period = ParsePeriod(name);
  bool ok = period.ok() && std::find(accepted.begin(), accepted.end(), *period) != accepted.end();
  if (!ok) {
    std::string names;
    for (Period p : accepted) names += (names.empty() ? "" : ", ") + std::string(PeriodName(p));
    return InvalidArgument("period \"" + name + "\" is not supported here (accepted: " + names +
                           ")");
  }
  return *period;
}

struct TimeRange {
  int64_t from = kMinTime;  // inclusive
  int64_t to = kMaxTime;    // exclusive
};

// The optional `from` and `to` parameters; absent bounds are unbounded.
Result<TimeRange> RangeParams(const QueryParams& params) {
  TimeRange range;
  MLW_ASSIGN_OR_RETURN(range.from, params.Time("from", kMinTime));
  MLW_ASSIGN_OR_RETURN(range.to, params.Time("to", kMaxTime));
  return range;
}

}  // namespace

void AddQueryRoutes(RouteContext& ctx) {
  ctx.Add("GET", "/v1/users/{id}/vitals/aggregates", [&ctx](const http::Request& request) {
    http::Response error;
    int64_t user_id = 0;
    QueryParams params;
    if (!Prepare(ctx, request, {"metric", "period", "from", "to"}, &user_id, &params, &error)) {
      return error;
    }
    Result<std::string> metric = params.Required("metric");
    if (!metric.ok()) return StatusResponse(metric.status());
    Result<Period> period =
        PeriodParam(params, {Period::kHourly, Period::kDaily, Period::kWeekly, Period::kMonthly});
    if (!period.ok()) return StatusResponse(period.status());
    Result<TimeRange> range = RangeParams(params);
    if (!range.ok()) return StatusResponse(range.status());
    auto result = pipelines::vitals::QueryVitalsAggregates(*ctx.deps().db, user_id, *metric,
                                                           *period, range->from, range->to);
    if (!result.ok()) return StatusResponse(result.status());
    nlohmann::json out = result->ToJson();
    // DESIGN.md's shape has unit, loinc_code and buckets at the top: give them for single-series
    // metrics; multi-series ones (blood pressure, sleep stages) keep them per series.
    if (out["series"].size() == 1) {
      const nlohmann::json& only = out["series"][0];
      for (const char* key : {"unit", "loinc_code", "loinc_name", "aggregation", "buckets"}) {
        if (only.contains(key)) out[key] = only[key];
      }
    }
    return JsonResponse(200, out);
  });

  ctx.Add("GET", "/v1/users/{id}/nutrition/aggregates", [&ctx](const http::Request& request) {
    http::Response error;
    int64_t user_id = 0;
    QueryParams params;
    if (!Prepare(ctx, request, {"period", "from", "to"}, &user_id, &params, &error)) return error;
    Result<Period> period =
        PeriodParam(params, {Period::kDaily, Period::kWeekly, Period::kMonthly});
    if (!period.ok()) return StatusResponse(period.status());
    Result<TimeRange> range = RangeParams(params);
    if (!range.ok()) return StatusResponse(range.status());
    auto result = pipelines::nutrition::QueryNutritionAggregates(*ctx.deps().db, user_id, *period,
                                                                 range->from, range->to);
    if (!result.ok()) return StatusResponse(result.status());
    return JsonResponse(200, result->ToJson());
  });

  ctx.Add("GET", "/v1/users/{id}/labs/results", [&ctx](const http::Request& request) {
    http::Response error;
    int64_t user_id = 0;
    QueryParams params;
    if (!Prepare(ctx, request, {"from", "to"}, &user_id, &params, &error)) return error;
    Result<TimeRange> range = RangeParams(params);
    if (!range.ok()) return StatusResponse(range.status());
    auto result = pipelines::labs::QueryLabResults(*ctx.deps().db, user_id, range->from, range->to);
    if (!result.ok()) return StatusResponse(result.status());
    return JsonResponse(200, result->ToJson());
  });

  ctx.Add("GET", "/v1/users/{id}/labs/aggregates", [&ctx](const http::Request& request) {
    http::Response error;
    int64_t user_id = 0;
    QueryParams params;
    if (!Prepare(ctx, request, {"period", "loinc", "from", "to"}, &user_id, &params, &error)) {
      return error;
    }
    Result<Period> period = PeriodParam(
        params, {Period::kDaily, Period::kMonthly, Period::kQuarterly, Period::kYearly});
    if (!period.ok()) return StatusResponse(period.status());
    Result<TimeRange> range = RangeParams(params);
    if (!range.ok()) return StatusResponse(range.status());
    auto result = pipelines::labs::QueryLabAggregates(*ctx.deps().db, user_id, *period,
                                                      params.Get("loinc"), range->from, range->to);
    if (!result.ok()) return StatusResponse(result.status());
    return JsonResponse(200, result->ToJson());
  });
}

}  // namespace mlw::api::internal
