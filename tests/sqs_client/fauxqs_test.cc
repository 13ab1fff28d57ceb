// End-to-end: the remote SQS backend against fauxqs, an independent SQS-compatible server from npm,
// started by this test on 127.0.0.1. Real time, so waits are long polls with deadlines; credentials
// come through the real provider chain (a shared credentials file, then a container endpoint fake).
// Skipped, saying how to install it, when scripts/install-fauxqs.sh has not been run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/test_env.h"
#include "fake_http_server.h"
#include "fauxqs_process.h"
#include "queue/sqs_queue_service.h"

namespace mlw::queue {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

using testing::Fauxqs;

class FauxqsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fauxqs_ = Fauxqs::Start(&why_not_).release(); }
  static void TearDownTestSuite() {
    delete fauxqs_;
    fauxqs_ = nullptr;
  }
  void SetUp() override {
    if (fauxqs_ == nullptr) GTEST_SKIP() << why_not_;
    dir_ = fs::temp_directory_path() / ("mlw_fauxqs_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "credentials") << "[e2e]\naws_access_key_id = AKIDFILE\n"
                                           "aws_secret_access_key = file-secret\n";
    // A unique prefix keeps tests independent on the shared server.
    prefix_ = "t" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name();
    prefix_ = prefix_.substr(0, 60);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // A service whose credentials come from the shared credentials file (profile e2e).
  std::unique_ptr<QueueService> Open(Environment env = {}) {
    if (env.empty()) {
      env = {{"AWS_SHARED_CREDENTIALS_FILE", (dir_ / "credentials").string()},
             {"AWS_CONFIG_FILE", (dir_ / "none").string()},
             {"AWS_PROFILE", "e2e"},
             {"AWS_EC2_METADATA_DISABLED", "true"}};
    }
    SqsOptions options = SqsOptionsFor(fauxqs_->url() + "/000000000000/" + Name("main"), env);
    options.http.timeout_ms = 10000;
    Result<std::unique_ptr<QueueService>> q = OpenSqsQueueService(options);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return std::move(q).value();
  }
  std::string Name(const std::string& suffix) { return prefix_ + "-" + suffix; }

  // Long-polls until a message arrives or `seconds` pass.
  std::vector<Message> ReceiveWithin(QueueService& q, const std::string& queue, int seconds,
                                     std::optional<int> visibility = std::nullopt) {
    auto deadline = SteadyClock::now() + std::chrono::seconds(seconds);
    while (SteadyClock::now() < deadline) {
      Result<std::vector<Message>> got = q.ReceiveMessage(queue, {10, 1, visibility});
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (!got.ok() || !got->empty()) return got.ok() ? *got : std::vector<Message>{};
    }
    return {};
  }

  static Fauxqs* fauxqs_;
  static std::string why_not_;
  fs::path dir_;
  std::string prefix_;
};

Fauxqs* FauxqsTest::fauxqs_ = nullptr;
std::string FauxqsTest::why_not_;

TEST_F(FauxqsTest, CreateListAttributesAndDeleteQueues) {
  std::unique_ptr<QueueService> q = Open();
  ASSERT_TRUE(q->CreateQueue(Name("main"), {{"VisibilityTimeout", "45"}}).ok());
  ASSERT_TRUE(q->CreateQueue(Name("other"), {}).ok());
  Result<std::vector<std::string>> names = q->ListQueues(prefix_);
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{Name("main"), Name("other")}));
  Result<QueueAttributes> attrs = q->GetQueueAttributes(Name("main"), {"All"});
  ASSERT_TRUE(attrs.ok()) << attrs.status().ToString();
  EXPECT_EQ(attrs->at("VisibilityTimeout"), "45");
  EXPECT_NE(attrs->at("QueueArn").find(Name("main")), std::string::npos);
  ASSERT_TRUE(q->SetQueueAttributes(Name("main"), {{"VisibilityTimeout", "60"}}).ok());
  EXPECT_EQ(q->GetQueueAttributes(Name("main"), {"VisibilityTimeout"})->at("VisibilityTimeout"),
            "60");
  ASSERT_TRUE(q->DeleteQueue(Name("other")).ok());
  Status gone = q->GetQueueAttributes(Name("other"), {"All"}).status();
  EXPECT_EQ(gone.reason(), "QueueDoesNotExist") << gone.ToString();
}

TEST_F(FauxqsTest, SendReceiveDeleteWithAttributesAndVerifiedDigests) {
  std::unique_ptr<QueueService> q = Open();
  ASSERT_TRUE(q->CreateQueue(Name("main"), {}).ok());
  MessageAttributes attrs;
  attrs["job_type"] = {"String", "process_pending_vitals", ""};
  attrs["user_id"] = {"Number", "123", ""};
  attrs["blob"] = {"Binary", "", std::string("\x00\x01\xfe", 3)};
  std::string body = R"({"job_type":"process_pending_vitals","user_id":123,"priority":"normal"})";
  Result<SendResult> sent = q->SendMessage(Name("main"), {"", body, std::nullopt, attrs, ""});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_FALSE(sent->message_id.empty());

  std::vector<Message> got = ReceiveWithin(*q, Name("main"), 5);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, body);
  EXPECT_EQ(got[0].attributes, attrs);
  EXPECT_EQ(got[0].message_id, sent->message_id);
  EXPECT_EQ(got[0].receive_count, 1);
  EXPECT_GT(got[0].sent_timestamp_ms, 0);
  ASSERT_TRUE(q->DeleteMessage(Name("main"), got[0].receipt_handle).ok());
  Result<std::vector<Message>> empty = q->ReceiveMessage(Name("main"), {10, 1, std::nullopt});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(FauxqsTest, VisibilityTimeoutRedeliversAndCanBeChanged) {
  std::unique_ptr<QueueService> q = Open();
  ASSERT_TRUE(q->CreateQueue(Name("main"), {}).ok());
  ASSERT_TRUE(q->SendMessage(Name("main"), {"", "m", std::nullopt, {}, ""}).ok());
  std::vector<Message> first = ReceiveWithin(*q, Name("main"), 5, /*visibility=*/1);
  ASSERT_EQ(first.size(), 1u);
  // Invisible now; comes back once its 1 s visibility expires.
  std::vector<Message> again = ReceiveWithin(*q, Name("main"), 10, /*visibility=*/30);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
  // Making it visible at once hands it out again right away.
  ASSERT_TRUE(q->ChangeMessageVisibility(Name("main"), again[0].receipt_handle, 0).ok());
  std::vector<Message> third = ReceiveWithin(*q, Name("main"), 5, 30);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].receive_count, 3);
}

TEST_F(FauxqsTest, RedrivePolicyMovesToDeadLetterQueue) {
  std::unique_ptr<QueueService> q = Open();
  ASSERT_TRUE(q->CreateQueue(Name("dlq"), {}).ok());
  std::string dlq_arn = q->GetQueueAttributes(Name("dlq"), {"QueueArn"})->at("QueueArn");
  ASSERT_TRUE(
      q->CreateQueue(Name("main"), {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + dlq_arn +
                                                          R"(","maxReceiveCount":"1"})"}})
          .ok());
  ASSERT_TRUE(q->SendMessage(Name("main"), {"", "poison", std::nullopt, {}, ""}).ok());
  ASSERT_EQ(ReceiveWithin(*q, Name("main"), 5, /*visibility=*/1).size(), 1u);
  // After its visibility expires the message exceeds maxReceiveCount and moves to the DLQ.
  std::vector<Message> dead;
  auto deadline = SteadyClock::now() + std::chrono::seconds(15);
  while (dead.empty() && SteadyClock::now() < deadline) {
    Result<std::vector<Message>> main = q->ReceiveMessage(Name("main"), {10, 1, 30});
    ASSERT_TRUE(main.ok());
    ASSERT_TRUE(main->empty()) << "redelivered instead of dead-lettered";
    dead = *q->ReceiveMessage(Name("dlq"), {10, 0, std::nullopt});
  }
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body, "poison");

  Result<std::vector<std::string>> sources = q->ListDeadLetterSourceQueues(Name("dlq"));
  Result<MoveTaskResult> moved = q->StartMessageMoveTask(Name("dlq"), "");
  // fauxqs 1.9 implements neither action; the backend must surface that cleanly, by name.
  if (!sources.ok()) {
    EXPECT_FALSE(sources.status().reason().empty()) << sources.status().ToString();
  }
  if (!moved.ok()) {
    EXPECT_FALSE(moved.status().reason().empty()) << moved.status().ToString();
  }
}

TEST_F(FauxqsTest, BatchEntriesFailIndividuallyAndPurgeEmptiesTheQueue) {
  std::unique_ptr<QueueService> q = Open();
  ASSERT_TRUE(q->CreateQueue(Name("main"), {}).ok());
  Result<BatchOutcome<SendResult>> sent = q->SendMessageBatch(
      Name("main"), {{"a", "one", std::nullopt, {}, ""}, {"b", "two", std::nullopt, {}, ""}});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->successful.size(), 2u);
  EXPECT_EQ(q->GetQueueAttributes(Name("main"), {"ApproximateNumberOfMessages"})
                ->at("ApproximateNumberOfMessages"),
            "2");
  // An entry-level problem fails only its entry; a request-level one fails the call, by name.
  Result<BatchOutcome<SendResult>> mixed = q->SendMessageBatch(
      Name("main"),
      {{"ok", "three", std::nullopt, {}, ""}, {"bad", "x\x01y", std::nullopt, {}, ""}});
  ASSERT_TRUE(mixed.ok()) << mixed.status().ToString();
  ASSERT_EQ(mixed->successful.size(), 1u);
  ASSERT_EQ(mixed->failed.size(), 1u);
  EXPECT_EQ(mixed->failed[0].id, "bad");
  EXPECT_EQ(mixed->failed[0].code, "InvalidMessageContents");
  Status dup = q->SendMessageBatch(Name("main"), {{"same", "1", std::nullopt, {}, ""},
                                                  {"same", "2", std::nullopt, {}, ""}})
                   .status();
  EXPECT_EQ(dup.reason(), "BatchEntryIdsNotDistinct") << dup.ToString();
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(q->PurgeQueue(Name("main")).ok());
  EXPECT_EQ(q->GetQueueAttributes(Name("main"), {"ApproximateNumberOfMessages"})
                ->at("ApproximateNumberOfMessages"),
            "0");
}

TEST_F(FauxqsTest, CredentialsFromAContainerEndpointTheTestServes) {
  std::atomic<int> served{0};
  testing::FakeHttpServer ecs([&](const testing::FakeRequest& r) {
    ++served;
    if (r.Header("Authorization") != "ecs-token") return testing::FakeResponse{401, {}, ""};
    return testing::FakeResponse{200,
                                 {},
                                 R"({"AccessKeyId":"AKIDECS","SecretAccessKey":"s","Token":"t",)"
                                 R"("Expiration":"2099-01-01T00:00:00Z"})"};
  });
  std::unique_ptr<QueueService> q = Open({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/c"},
                                          {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-token"},
                                          {"HOME", (dir_ / "no-home").string()},
                                          {"AWS_EC2_METADATA_DISABLED", "true"}});
  ASSERT_TRUE(q->CreateQueue(Name("main"), {}).ok());
  ASSERT_TRUE(q->SendMessage(Name("main"), {"", "x", std::nullopt, {}, ""}).ok());
  EXPECT_EQ(ReceiveWithin(*q, Name("main"), 5).size(), 1u);
  EXPECT_EQ(served.load(), 1);  // fetched once, then cached until near expiry
}

}  // namespace
}  // namespace mlw::queue
