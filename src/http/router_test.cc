#include "http/router.h"

#include <gtest/gtest.h>

#include <optional>

namespace mlw::http {
namespace {

// Dispatches synchronously and returns the response the router or handler produced.
Response Call(const Router& router, std::string method, std::string path) {
  Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  std::optional<Response> out;
  router.Dispatch(req, [&out](Response r) { out = std::move(r); });
  EXPECT_TRUE(out.has_value());
  return out.value_or(Response{});
}

Handler Echo(std::string tag) {
  return [tag](Request req, Responder respond) {
    std::string body = tag;
    for (const auto& [k, v] : req.path_params) body += " " + k + "=" + v;
    respond(Response::Text(200, body));
  };
}

TEST(RouterTest, MatchesLiteralsAndPlaceholders) {
  Router router;
  router.Add("GET", "/healthz", Echo("health"));
  router.Add("POST", "/v1/users/{id}/vitals", Echo("vitals"));
  router.Add("GET", "/v1/users/{id}/status", Echo("status"));
  EXPECT_EQ(Call(router, "GET", "/healthz").body, "health");
  EXPECT_EQ(Call(router, "POST", "/v1/users/42/vitals").body, "vitals id=42");
  EXPECT_EQ(Call(router, "GET", "/v1/users/a%20b/status/").body, "status id=a b");
}

TEST(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  Router router;
  router.Add("POST", "/v1/users/{id}/vitals", Echo("vitals"));
  router.Add("PUT", "/v1/users/{id}/vitals", Echo("put"));
  Response missing = Call(router, "GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("not_found"), std::string::npos);
  Response wrong = Call(router, "GET", "/v1/users/1/vitals");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(FindHeader(wrong.headers, "allow"), "POST, PUT");
}

TEST(RouterTest, WildcardMethodAndRouteOrder) {
  Router router;
  router.Add("*", "/{account}/{queue}", Echo("queue"));
  router.Add("*", "/", Echo("root"));
  EXPECT_EQ(Call(router, "POST", "/").body, "root");
  EXPECT_EQ(Call(router, "GET", "/000000000000/jobs").body,
            "queue account=000000000000 queue=jobs");
  EXPECT_EQ(Call(router, "GET", "/a/b/c").status, 404);
}

TEST(RouterTest, SplitPathDropsEmptySegments) {
  EXPECT_EQ(SplitPath("//a///b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(SplitPath("/").empty());
}

}  // namespace
}  // namespace mlw::http
