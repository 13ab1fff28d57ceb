// An in-process API server on a loopback port over a fresh, migrated SQLite store and queue, and a
// client that talks to it as an app would. For the API's integration tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/api_server.h"
#include "core/metrics.h"
#include "http/client.h"
#include "queue/queue_factory.h"
#include "store/test_util.h"
#include "triggers/trigger_outbox.h"

namespace mlw::api::testing {

struct Reply {
  int status = 0;
  nlohmann::json json;  // null when the body is not JSON
  std::string body;
};

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = store::testing::OpenMigrated(dir_);
    auto q = queue::OpenQueueService("sqlite://" + dir_.path() + "/queue.db", {});
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queue_ = std::move(q->service);
    ASSERT_TRUE(queue_->CreateQueue("ml-worker", {}).ok());
    outbox_ = std::make_unique<triggers::TriggerOutbox>(*db_, *queue_, SystemClock::Default(),
                                                        triggers::OutboxOptions{});
    ApiDeps deps;
    deps.db = db_.get();
    deps.queue = queue_.get();
    deps.queue_name = "ml-worker";
    deps.outbox = outbox_.get();
    deps.metrics = &metrics_;
    deps.admin_token = kAdmin;
    ApiOptions options = Options();
    options.http.port = 0;
    options.http.access_log = false;
    server_ = std::make_unique<ApiServer>(deps, options);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<http::HttpClient>("127.0.0.1", server_->port());
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop(std::chrono::seconds(1));
  }

  virtual ApiOptions Options() { return ApiOptions{}; }

  Reply Call(const std::string& method, const std::string& target, const std::string& token,
             const std::string& body = "", const std::string& content_type = "application/json") {
    http::HeaderList headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) headers.emplace_back("Content-Type", content_type);
    auto r = client_->Send(method, target, headers, body, std::chrono::seconds(30));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Reply reply;
    if (!r.ok()) return reply;
    reply.status = r->status;
    reply.body = r->body;
    reply.json = nlohmann::json::parse(r->body, nullptr, false);
    if (reply.json.is_discarded()) reply.json = nullptr;
    return reply;
  }
  Reply Post(const std::string& target, const std::string& token, const nlohmann::json& body) {
    return Call("POST", target, token, body.dump());
  }
  Reply Get(const std::string& target, const std::string& token) {
    return Call("GET", target, token);
  }

  // Creates a user through the API; returns {id, token}.
  std::pair<int64_t, std::string> CreateUser(const std::string& timezone = "UTC") {
    Reply r = Post("/v1/users", kAdmin, {{"timezone", timezone}});
    EXPECT_EQ(r.status, 201) << r.body;
    return {r.json.value("user_id", int64_t{0}), r.json.value("token", std::string())};
  }

  static constexpr const char* kAdmin = "admin-secret-token";
  store::testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<queue::QueueService> queue_;
  std::unique_ptr<triggers::TriggerOutbox> outbox_;
  metrics::Registry metrics_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<http::HttpClient> client_;
};

}  // namespace mlw::api::testing
