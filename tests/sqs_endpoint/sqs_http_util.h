// Raw SQS calls over the project's HTTP client, for tests that need what SDKs will not send
// (malformed input, unknown actions) or that must not depend on Python.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "http/client.h"

namespace mlw::testing {

// A JSON-protocol call; the response body is parsed into `json` (null when not JSON).
struct JsonReply {
  int status = 0;
  nlohmann::json json;
  std::string body;
  std::string query_error;  // x-amzn-query-error
};

inline JsonReply CallJson(http::HttpClient& client, const std::string& action,
                          const std::string& body,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto res = client.Send(
      "POST", "/",
      {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "AmazonSQS." + action}},
      body, timeout);
  JsonReply out;
  EXPECT_TRUE(res.ok()) << res.status().ToString();
  if (!res.ok()) return out;
  out.status = res->status;
  out.body = res->body;
  out.json = nlohmann::json::parse(res->body, nullptr, false);
  if (out.json.is_discarded()) out.json = nullptr;
  out.query_error = std::string(res->Header("x-amzn-query-error"));
  return out;
}

inline JsonReply CallJson(http::HttpClient& client, const std::string& action,
                          const nlohmann::json& input,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  return CallJson(client, action, input.dump(), timeout);
}

// Creates a queue and returns its URL; fails the test otherwise.
inline std::string MakeQueue(http::HttpClient& client, const std::string& name,
                             const nlohmann::json& attributes = nlohmann::json::object()) {
  JsonReply r = CallJson(client, "CreateQueue", {{"QueueName", name}, {"Attributes", attributes}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json.is_object() ? r.json.value("QueueUrl", "") : "";
}

}  // namespace mlw::testing
