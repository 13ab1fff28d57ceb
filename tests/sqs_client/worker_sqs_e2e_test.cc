// End-to-end: the real `mlworker worker --mode sqs` process consuming a remote SQS-compatible queue
// over HTTP — mlworker's own `mlworker serve` (with SigV4 signatures required and the worker's
// credentials read from a shared credentials file), and fauxqs from npm (credentials from a
// container-credentials endpoint the test serves). The worker processes a trigger into aggregates
// in a SQLite database the test reads, dead-letters a poison message with its reason, leaves both
// queues empty and exits cleanly on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "child_process.h"
#include "core/clock.h"
#include "core/test_env.h"
#include "fake_http_server.h"
#include "fauxqs_process.h"
#include "pipelines/users.h"
#include "pipelines/vitals/vitals_ingest.h"
#include "queue/sqs_queue_service.h"
#include "store/database_factory.h"
#include "store/migrations.h"
#include "worker/dead_letter.h"

namespace mlw {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using queue::Environment;

constexpr int kHours = 6;
constexpr double kStepsPerHour = 1000;

class WorkerSqsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mlw_worker_sqs_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "credentials") << "[e2e]\naws_access_key_id = AKIDFILE\n"
                                           "aws_secret_access_key = file-secret\n";
    auto db = store::OpenDatabase(DatabaseUrl());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(store::Migrate(*db_).ok());
    auto user = pipelines::CreateUser(*db_, SystemClock::Default(), "UTC");
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    user_id_ = user->id;
    // Six half-hour step counts, one per hour of 2024-06-03 (UTC), pending and without a trigger.
    std::vector<pipelines::vitals::VitalSample> samples;
    const int64_t day = 1717372800LL * 1000000;  // 2024-06-03T00:00:00Z
    for (int h = 0; h < kHours; ++h) {
      pipelines::vitals::VitalSample s;
      s.metric = "steps";
      s.unit = "count";
      s.value = kStepsPerHour;
      s.start_us = day + h * 3600LL * 1000000;
      s.end_us = s.start_us + 1800LL * 1000000;
      samples.push_back(s);
    }
    std::vector<pipelines::RowError> rejected;
    auto ingested = pipelines::vitals::IngestVitalSamples(*db_, SystemClock::Default(), user_id_,
                                                          samples, {}, &rejected);
    ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }

  std::string DatabaseUrl() const { return "sqlite://" + (dir_ / "mlworker.db").string(); }

  Environment SharedFileCredentials() const {
    return {{"AWS_SHARED_CREDENTIALS_FILE", (dir_ / "credentials").string()},
            {"AWS_CONFIG_FILE", (dir_ / "no-config").string()},
            {"AWS_PROFILE", "e2e"},
            {"HOME", (dir_ / "no-home").string()},
            {"AWS_EC2_METADATA_DISABLED", "true"}};
  }

  std::unique_ptr<queue::QueueService> Client(const std::string& queue_url,
                                              const Environment& env) {
    queue::SqsOptions options = queue::SqsOptionsFor(queue_url, env);
    options.http.timeout_ms = 10000;
    auto q = queue::OpenSqsQueueService(options);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(q).value() : nullptr;
  }

  std::unique_ptr<testing::ChildProcess> StartWorker(const std::string& queue_url,
                                                     const std::string& dlq_name,
                                                     const Environment& env) {
    std::map<std::string, std::string> child_env(env.begin(), env.end());
    child_env["MLW_LOG_LEVEL"] = "warn";
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{testenv::Binary(), "worker", "--mode", "sqs", "--queue-url",
                                 queue_url, "--dlq-name", dlq_name, "--database-url", DatabaseUrl(),
                                 "--data-dir", (dir_ / "worker").string(), "--wait-time", "1",
                                 "--concurrency", "2", "--metrics-port", "0"},
        child_env);
  }

  // Waits until `name` exists (the worker creates its queues at start).
  static bool WaitForQueue(queue::QueueService& q, const std::string& name) {
    const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
    while (SteadyClock::now() < deadline) {
      if (q.GetQueueAttributes(name, {"QueueArn"}).ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  int64_t Scalar(const std::string& sql) {
    auto rows = db_->Query(sql, {user_id_});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && !rows->empty() && !(*rows)[0].IsNull(0) ? (*rows)[0].Int(0) : -1;
  }

  // Waits until every raw row is processed and the day's step total is in the daily aggregate.
  bool WaitProcessed() {
    const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
    while (SteadyClock::now() < deadline) {
      if (Scalar("SELECT COUNT(*) FROM vitals_raw_data WHERE user_id = $1 AND "
                 "status = 'processed'") == kHours &&
          Scalar("SELECT CAST(total AS INTEGER) FROM vitals_daily_aggregates WHERE user_id = $1 "
                 "AND series = 'steps'") == kHours * kStepsPerHour) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  static int64_t Depth(queue::QueueService& q, const std::string& name) {
    auto a = q.GetQueueAttributes(
        name, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"});
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    if (!a.ok()) return -1;
    return std::stoll(a->at("ApproximateNumberOfMessages")) +
           std::stoll(a->at("ApproximateNumberOfMessagesNotVisible"));
  }

  static bool WaitEmpty(queue::QueueService& q, const std::string& name) {
    const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
    while (SteadyClock::now() < deadline) {
      if (Depth(q, name) == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // Sends a real trigger and a poison message, then checks what the worker made of them.
  void FeedAndCheck(queue::QueueService& q, const std::string& queue_name,
                    const std::string& dlq_name, testing::ChildProcess& worker) {
    ASSERT_TRUE(WaitForQueue(q, queue_name)) << "worker did not create " << queue_name;
    ASSERT_TRUE(WaitForQueue(q, dlq_name)) << "worker did not create " << dlq_name;
    const std::string trigger =
        R"({"job_type":"process_pending_vitals","user_id":)" + std::to_string(user_id_) + "}";
    ASSERT_TRUE(q.SendMessage(queue_name, {"", trigger, std::nullopt, {}, ""}).ok());
    ASSERT_TRUE(
        q.SendMessage(queue_name,
                      {"", R"({"job_type":"no_such_job","user_id":1})", std::nullopt, {}, ""})
            .ok());

    EXPECT_TRUE(WaitProcessed()) << "the worker did not process the user's rows";
    EXPECT_TRUE(WaitEmpty(q, queue_name)) << "work queue not drained";

    // The poison message is in the DLQ with the reason the worker attached.
    std::vector<queue::Message> dead;
    const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
    while (dead.empty() && SteadyClock::now() < deadline) {
      auto got = q.ReceiveMessage(dlq_name, {10, 1, std::nullopt});
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      dead = *got;
    }
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].body, R"({"job_type":"no_such_job","user_id":1})");
    ASSERT_TRUE(dead[0].attributes.count(worker::kAttrDeadLetterReason));
    EXPECT_FALSE(dead[0].attributes.at(worker::kAttrDeadLetterReason).string_value.empty());
    EXPECT_EQ(dead[0].attributes.at(worker::kAttrSourceQueue).string_value, queue_name);

    worker.Kill(SIGTERM);
    const int status = worker.Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
  }

  fs::path dir_;
  std::unique_ptr<store::Database> db_;
  int64_t user_id_ = 0;
};

TEST_F(WorkerSqsE2ETest, OwnEndpointWithSignaturesRequiredAndSharedCredentialsFile) {
  testing::ChildProcess serve({testenv::Binary(), "serve", "--data-dir", (dir_ / "serve").string(),
                               "--sqs-listen", "127.0.0.1:0", "--sqs-access-key-id", "AKIDFILE",
                               "--sqs-secret-access-key", "file-secret", "--log-level", "warn"},
                              {});
  auto port = serve.WaitForLine(R"(sqs endpoint listening on http://127\.0\.0\.1:(\d+))",
                                std::chrono::seconds(60));
  ASSERT_TRUE(port) << serve.output();
  const std::string endpoint = "http://127.0.0.1:" + *port;
  const std::string queue_url = endpoint + "/000000000000/ml-worker";

  auto worker = StartWorker(queue_url, "ml-worker-dlq", SharedFileCredentials());
  auto client = Client(queue_url, SharedFileCredentials());
  ASSERT_NE(client, nullptr);
  FeedAndCheck(*client, "ml-worker", "ml-worker-dlq", *worker);

  // Signatures are really checked, so the worker above really signed with the file's key.
  auto forged = Client(queue_url, {{"AWS_ACCESS_KEY_ID", "AKIDFILE"},
                                   {"AWS_SECRET_ACCESS_KEY", "not-the-secret"},
                                   {"AWS_EC2_METADATA_DISABLED", "true"}});
  ASSERT_NE(forged, nullptr);
  Status refused = forged->GetQueueAttributes("ml-worker", {"QueueArn"}).status();
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.ToString().find("Signature"), std::string::npos) << refused.ToString();
}

TEST_F(WorkerSqsE2ETest, FauxqsWithCredentialsFromAContainerEndpoint) {
  std::string why_not;
  std::unique_ptr<testing::Fauxqs> fauxqs = testing::Fauxqs::Start(&why_not);
  if (fauxqs == nullptr) GTEST_SKIP() << why_not;
  std::atomic<int> served{0};
  testing::FakeHttpServer ecs([&](const testing::FakeRequest& r) {
    if (r.Header("Authorization") != "ecs-token") return testing::FakeResponse{401, {}, ""};
    ++served;
    return testing::FakeResponse{200,
                                 {},
                                 R"({"AccessKeyId":"AKIDECS","SecretAccessKey":"s","Token":"t",)"
                                 R"("Expiration":"2099-01-01T00:00:00Z"})"};
  });
  const Environment container = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/creds"},
                                 {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-token"},
                                 {"AWS_SHARED_CREDENTIALS_FILE", (dir_ / "none").string()},
                                 {"AWS_CONFIG_FILE", (dir_ / "none").string()},
                                 {"HOME", (dir_ / "no-home").string()},
                                 {"AWS_EC2_METADATA_DISABLED", "true"}};
  const std::string name = "w" + std::to_string(::getpid());
  const std::string queue_url = fauxqs->url() + "/000000000000/" + name;

  auto worker = StartWorker(queue_url, name + "-dlq", container);
  auto client = Client(queue_url, SharedFileCredentials());
  ASSERT_NE(client, nullptr);
  FeedAndCheck(*client, name, name + "-dlq", *worker);
  EXPECT_GE(served.load(), 1) << "the worker never asked the container endpoint for credentials";
}

}  // namespace
}  // namespace mlw
