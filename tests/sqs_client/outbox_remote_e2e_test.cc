// The transactional outbox with a remote queue, end to end: `mlworker run` whose queue lives behind
// an SQS endpoint in another process (`mlworker serve`). The endpoint is down when an upload
// commits, so the trigger cannot be sent; the API process is then killed with SIGKILL. On restart
// (endpoint back up) the relay sends the trigger and the worker processes the data: nothing lost.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "api_call.h"
#include "child_process.h"
#include "core/test_env.h"
#include "http/client.h"
#include "queue/sqs_queue_service.h"
#include "store/database_factory.h"

namespace mlw {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
constexpr const char* kAdmin = "outbox-e2e-admin";

class OutboxRemoteE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mlw_outbox_remote_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `mlworker serve` on `listen`; returns its port, 0 if it did not come up.
  int StartServe(const std::string& listen) {
    serve_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testenv::Binary(), "serve", "--data-dir",
                                 (dir_ / "queue").string(), "--sqs-listen", listen, "--log-level",
                                 "warn"},
        std::map<std::string, std::string>{});
    auto port = serve_->WaitForLine(R"(sqs endpoint listening on http://127\.0\.0\.1:(\d+))",
                                    std::chrono::seconds(60));
    return port ? std::stoi(*port) : 0;
  }

  // `mlworker run` (API + worker) on the remote queue; returns the API port, 0 on failure.
  int StartRun(bool worker_enabled) {
    run_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testenv::Binary(), "run", "--data-dir", (dir_ / "node").string(),
                                 "--api-listen", "127.0.0.1:0", "--sqs-listen", "127.0.0.1:0",
                                 "--admin-token", kAdmin, "--queue-url", QueueUrl(), "--wait-time",
                                 "1",
                                 // No sweep: only the relayed trigger can get the rows processed.
                                 "--mode", "sqs"},
        std::map<std::string, std::string>{{"ML_WORKER_ENABLED", worker_enabled ? "true" : "false"},
                                           {"MLW_LOG_LEVEL", "warn"},
                                           {"AWS_ACCESS_KEY_ID", "AKIDTEST"},
                                           {"AWS_SECRET_ACCESS_KEY", "secret"},
                                           {"AWS_EC2_METADATA_DISABLED", "true"}});
    auto port = run_->WaitForLine(R"(api listening on http://127\.0\.0\.1:(\d+))",
                                  std::chrono::seconds(60));
    if (!port) return 0;
    api_ = std::make_unique<http::HttpClient>("127.0.0.1", static_cast<uint16_t>(std::stoi(*port)));
    return std::stoi(*port);
  }

  std::string QueueUrl() const {
    return "http://127.0.0.1:" + std::to_string(sqs_port_) + "/000000000000/ml-worker";
  }

  nlohmann::json Call(const std::string& method, const std::string& target,
                      const std::string& token, const nlohmann::json& body, int* status) {
    return testing::CallApi(*api_, method, target, token, body, status);
  }

  std::unique_ptr<queue::QueueService> QueueClient() {
    queue::SqsOptions options =
        queue::SqsOptionsFor(QueueUrl(), {{"AWS_ACCESS_KEY_ID", "AKIDTEST"},
                                          {"AWS_SECRET_ACCESS_KEY", "secret"},
                                          {"AWS_EC2_METADATA_DISABLED", "true"}});
    auto q = queue::OpenSqsQueueService(options);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(q).value() : nullptr;
  }

  fs::path dir_;
  int sqs_port_ = 0;
  std::unique_ptr<testing::ChildProcess> serve_, run_;
  std::unique_ptr<http::HttpClient> api_;
};

TEST_F(OutboxRemoteE2ETest, KilledAfterCommitBeforeSendTheTriggerIsSentOnRestart) {
  sqs_port_ = StartServe("127.0.0.1:0");
  ASSERT_GT(sqs_port_, 0) << serve_->output();
  ASSERT_GT(StartRun(false), 0) << run_->output();
  int status = 0;
  nlohmann::json user = Call("POST", "/v1/users", kAdmin, {{"timezone", "UTC"}}, &status);
  ASSERT_EQ(status, 201) << user.dump();
  const int64_t id = user["user_id"];
  const std::string token = user["token"];

  // The queue endpoint goes away; the upload still commits (202) with its trigger in the outbox.
  serve_->Kill(SIGTERM);
  serve_->Wait();
  nlohmann::json samples = {{"samples", nlohmann::json::array()}};
  for (int h = 0; h < 4; ++h) {
    samples["samples"].push_back({{"metric", "steps"},
                                  {"value", 500},
                                  {"unit", "count"},
                                  {"start", "2024-06-03T0" + std::to_string(h) + ":00:00Z"},
                                  {"end", "2024-06-03T0" + std::to_string(h) + ":20:00Z"}});
  }
  Call("POST", "/v1/users/" + std::to_string(id) + "/vitals", token, samples, &status);
  ASSERT_EQ(status, 202);
  run_->Kill(SIGKILL);

  {
    // The trigger survived the crash unsent.
    auto db = store::OpenDatabase("sqlite://" + (dir_ / "node" / "mlworker.db").string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto rows = (*db)->Query(
        "SELECT COUNT(*) FROM job_triggers WHERE user_id = $1 AND sent_at_us IS NULL", {id});
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ((*rows)[0].Int(0), 1);
  }

  // Endpoint back on the same port with the same data; nothing was sent to it.
  ASSERT_EQ(StartServe("127.0.0.1:" + std::to_string(sqs_port_)), sqs_port_) << serve_->output();
  auto q = QueueClient();
  ASSERT_NE(q, nullptr);
  auto depth = q->GetQueueAttributes("ml-worker", {"ApproximateNumberOfMessages"});
  ASSERT_TRUE(depth.ok()) << depth.status().ToString();
  EXPECT_EQ(depth->at("ApproximateNumberOfMessages"), "0");

  // Restart with the worker: the relay sends the trigger and the rows get processed.
  ASSERT_GT(StartRun(true), 0) << run_->output();
  const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
  nlohmann::json day;
  while (SteadyClock::now() < deadline) {
    day = Call("GET",
               "/v1/users/" + std::to_string(id) + "/vitals/aggregates?metric=steps&period=daily",
               token, nullptr, &status);
    if (status == 200 && day.contains("buckets") && !day["buckets"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(status, 200) << day.dump();
  ASSERT_FALSE(day["buckets"].empty()) << "data never processed after restart: " << day.dump();
  EXPECT_DOUBLE_EQ(day["buckets"][0]["sum"].get<double>(), 2000.0) << day.dump();
}

}  // namespace
}  // namespace mlw
