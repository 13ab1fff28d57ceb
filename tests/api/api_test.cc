#include <regex>

#include "api/openapi_document.h"
#include "api_fixture.h"
#include "pipelines/vitals/vitals_processor.h"

namespace mlw::api::testing {
namespace {

nlohmann::json HeartRate(double bpm, const std::string& start) {
  return {{"metric", "heart_rate"}, {"value", bpm}, {"unit", "bpm"}, {"start", start}};
}

using ApiTest = ApiFixture;

TEST_F(ApiTest, HealthReadinessMetricsAndOpenApiNeedNoToken) {
  EXPECT_EQ(Get("/healthz", "").status, 200);
  Reply ready = Get("/readyz", "");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.json["checks"]["database"], "ok");
  EXPECT_EQ(ready.json["checks"]["queue"], "ok");
  Reply doc = Get("/openapi.yaml", "");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body, std::string(OpenApiDocument()));
  Get("/v1/users/1/status", "nope");
  Reply metrics = Get("/metrics", "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("mlworker_http_requests_total{route=\"/v1/users/{id}/"
                              "status\",method=\"GET\",status=\"401\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("mlworker_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(ApiTest, EveryRouteIsDocumentedInOpenApi) {
  const std::string doc(OpenApiDocument());
  auto routes = server_->routes();
  ASSERT_GE(routes.size(), 12u);
  for (const auto& [method, pattern] : routes) {
    size_t at = doc.find("\n  " + pattern + ":\n");
    ASSERT_NE(at, std::string::npos) << pattern << " is not under paths in docs/openapi.yaml";
    size_t next = doc.find("\n  /", at + 1);
    std::string block = doc.substr(at, next == std::string::npos ? std::string::npos : next - at);
    std::string verb = method;
    std::transform(verb.begin(), verb.end(), verb.begin(), ::tolower);
    EXPECT_NE(block.find("\n    " + verb + ":"), std::string::npos)
        << method << " " << pattern << " is not documented";
  }
}

TEST_F(ApiTest, CreatingUsersNeedsTheAdminToken) {
  EXPECT_EQ(Post("/v1/users", "", {{"timezone", "UTC"}}).status, 401);
  EXPECT_EQ(Post("/v1/users", "wrong", {{"timezone", "UTC"}}).status, 401);
  auto [id, token] = CreateUser("Europe/London");
  EXPECT_GT(id, 0);
  EXPECT_EQ(token.rfind("mlw_", 0), 0u);
  Reply as_user = Post("/v1/users", token, {{"timezone", "UTC"}});
  EXPECT_EQ(as_user.status, 403);
  EXPECT_EQ(as_user.json["error"]["code"], "forbidden");
  Reply bad_zone = Post("/v1/users", kAdmin, {{"timezone", "Mars/Olympus"}});
  EXPECT_EQ(bad_zone.status, 400);
  EXPECT_EQ(bad_zone.json["error"]["code"], "invalid_request");
}

TEST_F(ApiTest, UserTokensReachOnlyTheirOwnUser) {
  auto [alice, alice_token] = CreateUser();
  auto [bob, bob_token] = CreateUser();
  std::string bob_vitals = "/v1/users/" + std::to_string(bob) + "/vitals";
  nlohmann::json upload = {{"samples", {HeartRate(61, "2024-05-01T08:00:00Z")}}};
  EXPECT_EQ(Post(bob_vitals, bob_token, upload).status, 202);
  Reply cross = Post(bob_vitals, alice_token, upload);
  EXPECT_EQ(cross.status, 403);
  EXPECT_EQ(cross.json["error"]["code"], "forbidden");
  Reply peek = Get("/v1/users/" + std::to_string(bob) + "/status", alice_token);
  EXPECT_EQ(peek.status, 403);
  EXPECT_FALSE(peek.json.contains("vitals"));
  Reply own = Get("/v1/users/" + std::to_string(bob) + "/status", bob_token);
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.json["vitals"]["pending"], 1);
  EXPECT_EQ(Get("/v1/users/" + std::to_string(alice) + "/status", "").status, 401);
  EXPECT_EQ(Get("/v1/users/" + std::to_string(alice) + "/status", kAdmin).status, 200);
  EXPECT_EQ(Get("/v1/users/999999/status", kAdmin).status, 404);
}

TEST_F(ApiTest, IngestRecordsOneCoalescedTriggerAndAggregatesAppearAfterProcessing) {
  auto [user, token] = CreateUser("UTC");
  std::string base = "/v1/users/" + std::to_string(user);
  for (int i = 0; i < 5; ++i) {
    Reply r =
        Post(base + "/vitals", token,
             {{"samples", {HeartRate(60 + i, "2024-05-01T08:0" + std::to_string(i) + ":00Z")}}});
    ASSERT_EQ(r.status, 202) << r.body;
    EXPECT_EQ(r.json["accepted"], 1);
  }
  // Five uploads, one pending trigger.
  EXPECT_EQ(*outbox_->UnsentCount(), 1);
  ASSERT_EQ(*outbox_->Relay(), 1);
  auto processed = pipelines::vitals::ProcessPendingVitals(*db_, SystemClock::Default(), user);
  ASSERT_TRUE(processed.ok()) << processed.status().ToString();
  Reply agg =
      Get(base + "/vitals/aggregates?metric=heart_rate&period=daily&from=2024-05-01&to=2024-05-02",
          token);
  ASSERT_EQ(agg.status, 200) << agg.body;
  ASSERT_EQ(agg.json["buckets"].size(), 1u) << agg.body;
  const auto& b = agg.json["buckets"][0];
  EXPECT_EQ(b["count"], 5);
  EXPECT_DOUBLE_EQ(b["avg"].get<double>(), 62.0);
  EXPECT_DOUBLE_EQ(b["min"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ(b["max"].get<double>(), 64.0);
  EXPECT_DOUBLE_EQ(b["latest"].get<double>(), 64.0);
  EXPECT_EQ(agg.json["loinc_code"], "8867-4");
  EXPECT_EQ(agg.json["unit"], "/min");
}

TEST_F(ApiTest, RejectedBatchListsEveryBadRowAndWritesNothing) {
  auto [user, token] = CreateUser();
  std::string base = "/v1/users/" + std::to_string(user);
  nlohmann::json samples = {
      HeartRate(70, "2024-05-01T08:00:00Z"),
      {{"metric", "steps"}, {"value", -5}, {"unit", "count"}, {"start", "2024-05-01T08:00:00Z"}},
      {{"metric", "oxygen_saturation"},
       {"value", 140},
       {"unit", "%"},
       {"start", "2024-05-01T08:00:00Z"}},
      {{"metric", "warp_speed"}, {"value", 9}, {"unit", "c"}, {"start", "2024-05-01T08:00:00Z"}},
      HeartRate(70, "yesterday"),
  };
  Reply r = Post(base + "/vitals", token, {{"samples", samples}});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.json["error"]["code"], "validation_failed");
  std::set<int> bad_rows;
  for (const auto& d : r.json["error"]["details"]) bad_rows.insert(d["index"].get<int>());
  EXPECT_EQ(bad_rows, (std::set<int>{1, 2, 3, 4})) << r.body;
  Reply status = Get(base + "/status", token);
  EXPECT_EQ(status.json["vitals"]["pending"], 0);
  EXPECT_EQ(*outbox_->UnsentCount(), 0);
}

TEST_F(ApiTest, MalformedRequestsGetTheDocumentedErrors) {
  auto [user, token] = CreateUser();
  std::string vitals = "/v1/users/" + std::to_string(user) + "/vitals";
  Reply wrong_type = Call("POST", vitals, token, "samples=1", "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong_type.status, 415);
  EXPECT_EQ(wrong_type.json["error"]["code"], "unsupported_media_type");
  Reply broken = Call("POST", vitals, token, "{\"samples\": [");
  EXPECT_EQ(broken.status, 400);
  EXPECT_NE(broken.json["error"]["message"].get<std::string>().find("malformed JSON"),
            std::string::npos);
  std::string deep = std::string(100, '[') + std::string(100, ']');
  Reply too_deep = Call("POST", vitals, token, "{\"samples\":" + deep + "}");
  EXPECT_EQ(too_deep.status, 400);
  EXPECT_NE(too_deep.json["error"]["message"].get<std::string>().find("nested deeper"),
            std::string::npos);
  Reply unknown =
      Post(vitals, token, {{"samples", {HeartRate(60, "2024-05-01T08:00:00Z")}}, {"smaples", 1}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json["error"]["details"][0]["field"], "smaples");
  EXPECT_EQ(Post(vitals, token, {{"samples", nlohmann::json::array()}}).status, 400);
  Reply bad_id = Get("/v1/users/abc/status", token);
  EXPECT_EQ(bad_id.status, 400);
  Reply bad_period = Get("/v1/users/" + std::to_string(user) +
                             "/vitals/aggregates?metric=heart_rate&period=fortnightly",
                         token);
  EXPECT_EQ(bad_period.status, 400);
  EXPECT_NE(
      bad_period.json["error"]["message"].get<std::string>().find("hourly, daily, weekly, monthly"),
      std::string::npos);
  Reply bad_param = Get("/v1/users/" + std::to_string(user) +
                            "/vitals/aggregates?metric=heart_rate&period=daily&color=red",
                        token);
  EXPECT_EQ(bad_param.status, 400);
  EXPECT_EQ(Get("/v1/nothing", token).status, 404);
}

class ApiLimitsTest : public ApiFixture {
 protected:
  ApiOptions Options() override {
    ApiOptions o;
    o.http.body_limit = 64 * 1024;
    o.max_items = 3;
    return o;
  }
};

TEST_F(ApiLimitsTest, BodySizeAndItemCountLimitsAnswer413) {
  auto [user, token] = CreateUser();
  std::string vitals = "/v1/users/" + std::to_string(user) + "/vitals";
  nlohmann::json four = {{"samples", nlohmann::json::array()}};
  for (int i = 0; i < 4; ++i) four["samples"].push_back(HeartRate(60, "2024-05-01T08:00:00Z"));
  Reply many = Post(vitals, token, four);
  EXPECT_EQ(many.status, 413);
  EXPECT_EQ(many.json["error"]["code"], "too_large");
  std::string huge = "{\"samples\":[" + std::string(100 * 1024, ' ') + "]}";
  auto r = client_->Send(
      "POST", vitals,
      {{"Authorization", std::string("Bearer ") + token}, {"Content-Type", "application/json"}},
      huge, std::chrono::seconds(10));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
}

}  // namespace
}  // namespace mlw::api::testing
