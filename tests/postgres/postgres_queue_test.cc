// PostgresQueueService on a throwaway PostgreSQL 15 cluster: the backend-neutral conformance
// suite, plus what only a server-backed queue has: the queue URL form, survival of a server
// restart, receivers in several services never sharing a message, and cached queue rows following
// changes made elsewhere.
#include "queue/postgres_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "pg_test_cluster.h"
#include "queue/queue_conformance_test.h"
#include "queue/queue_factory.h"

namespace mlw::queue {
namespace {

using pgtest::PgTestCluster;
using testing::QueueBackendParam;
using testing::QueueConformanceTest;
using testing::QueueTestBackend;

// One fresh database per backend, so that every test starts empty.
class PostgresTestBackend final : public QueueTestBackend {
 public:
  explicit PostgresTestBackend(std::string url) : url_(std::move(url)) {}
  std::unique_ptr<QueueService> Open(const Clock& clock) override {
    PostgresQueueOptions options;
    options.url = url_;
    Result<std::unique_ptr<PostgresQueueService>> s = PostgresQueueService::Open(options, clock);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return nullptr;
    return std::move(s).value();
  }
  const std::string& url() const { return url_; }

 private:
  std::string url_;
};

std::unique_ptr<PostgresTestBackend> MakePostgresBackend() {
  std::string why;
  PgTestCluster* cluster = PgTestCluster::Shared(&why);
  if (cluster == nullptr) {
    std::fprintf(stderr, "skipping PostgreSQL tests: %s\n", why.c_str());
    return nullptr;
  }
  Result<std::string> url = cluster->CreateDatabase();
  if (!url.ok()) {
    ADD_FAILURE() << url.status().ToString();
    return nullptr;
  }
  return std::make_unique<PostgresTestBackend>(*url);
}

INSTANTIATE_TEST_SUITE_P(
    Postgres, QueueConformanceTest,
    ::testing::Values(QueueBackendParam{
        "postgres", []() -> std::unique_ptr<QueueTestBackend> { return MakePostgresBackend(); }}),
    testing::QueueBackendName);

class PostgresQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    cluster_ = PgTestCluster::Shared(&why);
    if (cluster_ == nullptr) GTEST_SKIP() << why;
    backend_ = MakePostgresBackend();
    ASSERT_NE(backend_, nullptr);
    service_ = backend_->Open(clock_);
    ASSERT_NE(service_, nullptr);
  }

  ManualClock clock_;
  PgTestCluster* cluster_ = nullptr;
  std::unique_ptr<PostgresTestBackend> backend_;
  std::unique_ptr<QueueService> service_;
};

TEST_F(PostgresQueueTest, OpensThroughTheFactoryWithDefaultQueue) {
  RegisterPostgresQueueBackend();
  QueueFactoryOptions options;
  options.clock = &clock_;
  Result<OpenedQueue> opened =
      OpenQueueService(backend_->url() + "?queue=jobs&durable_acks=true", options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->default_queue, "jobs");
  ASSERT_TRUE(opened->service->CreateQueue("jobs", {}).ok());
  // The same tables: the other service sees the queue.
  Result<std::vector<std::string>> names = service_->ListQueues("");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"jobs"});
}

TEST_F(PostgresQueueTest, BadUrlsAreNamed) {
  RegisterPostgresQueueBackend();
  QueueFactoryOptions options;
  options.clock = &clock_;
  Result<OpenedQueue> twice = OpenQueueService("postgresql://u@db:5432:5432/x?queue=jobs", options);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(twice.status().message().find("carries a port twice"), std::string::npos)
      << twice.status().message();
  EXPECT_NE(twice.status().message().find("db:5432"), std::string::npos);
  Result<OpenedQueue> bad_param =
      OpenQueueService("postgresql://u@127.0.0.1/x?queue=jobs&sslmood=off", options);
  ASSERT_FALSE(bad_param.ok());
  EXPECT_NE(bad_param.status().message().find("sslmood"), std::string::npos);
  Result<OpenedQueue> bad_acks = OpenQueueService(backend_->url() + "?durable_acks=yes", options);
  ASSERT_FALSE(bad_acks.ok());
  EXPECT_NE(bad_acks.status().message().find("durable_acks=\"yes\""), std::string::npos);
  Result<OpenedQueue> bad_queue = OpenQueueService(backend_->url() + "?queue=a%20b", options);
  EXPECT_EQ(bad_queue.status().reason(), "InvalidParameterValue");
}

TEST_F(PostgresQueueTest, UnreachableServerFailsAtOpenWithItsAddress) {
  PostgresQueueOptions options;
  // Port 1 on loopback: nothing listens there.
  options.url = "postgresql://postgres:secret@127.0.0.1:1/x";
  options.reconnect_timeout_ms = 0;
  Result<std::unique_ptr<PostgresQueueService>> s = PostgresQueueService::Open(options, clock_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(s.status().message().find("127.0.0.1:1"), std::string::npos);
  EXPECT_EQ(s.status().message().find("secret"), std::string::npos);  // password never echoed
}

TEST_F(PostgresQueueTest, SurvivesServerRestartBetweenOperations) {
  ASSERT_TRUE(service_->CreateQueue("q", {}).ok());
  ASSERT_TRUE(service_->SendMessage("q", {.body = "before"}).ok());
  ASSERT_TRUE(cluster_->Restart().ok());
  // Pooled connections are dead now; the next operations reconnect and succeed.
  Result<SendResult> after = service_->SendMessage("q", {.body = "after"});
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  Result<std::vector<Message>> got =
      service_->ReceiveMessage("q", {.max_messages = 10, .wait_seconds = 0});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  std::set<std::string> bodies;
  for (const Message& m : *got) bodies.insert(m.body);
  EXPECT_EQ(bodies, (std::set<std::string>{"before", "after"}));
}

TEST_F(PostgresQueueTest, LongPollWakesAcrossServicesAfterServerRestart) {
  ASSERT_TRUE(service_->CreateQueue("q", {}).ok());
  ASSERT_TRUE(cluster_->Restart().ok());
  std::unique_ptr<QueueService> other = backend_->Open(clock_);
  ASSERT_NE(other, nullptr);
  Result<std::vector<Message>> got = Status(StatusCode::kInternal, "not run");
  std::thread receiver([&] { got = service_->ReceiveMessage("q", {.wait_seconds = 20}); });
  Result<SendResult> sent = other->SendMessage("q", {.body = "x"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  receiver.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->at(0).message_id, sent->message_id);
}

TEST_F(PostgresQueueTest, ReceiversInSeveralServicesNeverShareAMessage) {
  ASSERT_TRUE(service_->CreateQueue("q", {{"VisibilityTimeout", "600"}}).ok());
  constexpr int kMessages = 400;
  for (int i = 0; i < kMessages; i += 10) {
    std::vector<SendEntry> batch;
    for (int j = 0; j < 10; ++j) {
      batch.push_back({.id = "e" + std::to_string(j), .body = std::to_string(i + j)});
    }
    ASSERT_TRUE(service_->SendMessageBatch("q", batch).ok());
  }
  constexpr int kServices = 4;
  std::vector<std::unique_ptr<QueueService>> services;
  for (int i = 0; i < kServices; ++i) services.push_back(backend_->Open(clock_));
  std::mutex mu;
  std::vector<std::string> received;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kServices * 2; ++t) {
    threads.emplace_back([&, t] {
      QueueService& s = *services[static_cast<size_t>(t % kServices)];
      for (int rounds = 0; rounds < kMessages; ++rounds) {
        Result<std::vector<Message>> got =
            s.ReceiveMessage("q", {.max_messages = 10, .wait_seconds = 0});
        if (!got.ok()) {
          failed = true;
          return;
        }
        if (got->empty()) return;
        std::lock_guard<std::mutex> lock(mu);
        for (const Message& m : *got) received.push_back(m.body);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_FALSE(failed);
  std::set<std::string> unique(received.begin(), received.end());
  EXPECT_EQ(received.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(unique.size(), static_cast<size_t>(kMessages));
}

// Polls `condition` every 20 ms until it holds or 10 s pass.
bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST_F(PostgresQueueTest, CachedQueueRowsFollowDeletesAndChangesMadeByOtherServices) {
  // A cache that would never expire by itself here: only the notification or the foreign key can
  // tell the other service that its row is stale.
  PostgresQueueOptions options;
  options.url = backend_->url();
  options.queue_cache_ms = 600000;
  Result<std::unique_ptr<PostgresQueueService>> other = PostgresQueueService::Open(options, clock_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE(service_->CreateQueue("q", {}).ok());
  ASSERT_TRUE((*other)->SendMessage("q", {.body = "first"}).ok());  // caches the row

  // Deleted and created again elsewhere: the next send lands in the new queue, and receives
  // follow once the change is heard.
  ASSERT_TRUE(service_->DeleteQueue("q").ok());
  ASSERT_TRUE(service_->CreateQueue("q", {}).ok());
  ASSERT_TRUE((*other)->SendMessage("q", {.body = "second"}).ok());
  EXPECT_TRUE(Eventually([&] {
    Result<std::vector<Message>> got = (*other)->ReceiveMessage("q", {.wait_seconds = 0});
    return got.ok() && got->size() == 1 && got->at(0).body == "second";
  }));

  // An attribute changed elsewhere applies to this service's next sends.
  ASSERT_TRUE(service_->SetQueueAttributes("q", {{"DelaySeconds", "900"}}).ok());
  EXPECT_TRUE(Eventually([&] {
    if (!(*other)->SendMessage("q", {.body = "later"}).ok()) return false;
    Result<QueueAttributes> a = service_->GetQueueAttributes("q", {"All"});
    return a.ok() && a->at("ApproximateNumberOfMessagesDelayed") != "0";
  }));

  // Deleted for good: QueueDoesNotExist, not a stale success.
  ASSERT_TRUE(service_->DeleteQueue("q").ok());
  Result<SendResult> gone = (*other)->SendMessage("q", {.body = "lost?"});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().reason(), "QueueDoesNotExist");
}

TEST_F(PostgresQueueTest, CleanupDeletesExpiredMessagesAndDedupRecords) {
  ASSERT_TRUE(service_->CreateQueue("q", {{"MessageRetentionPeriod", "60"}}).ok());
  ASSERT_TRUE(service_->SendMessage("q", {.body = "old", .deduplication_id = "d"}).ok());
  clock_.AdvanceSeconds(30);
  ASSERT_TRUE(service_->SendMessage("q", {.body = "young"}).ok());
  clock_.AdvanceSeconds(kDeduplicationWindowSeconds);
  auto* pg = static_cast<PostgresQueueService*>(service_.get());
  Result<int64_t> deleted = pg->RunCleanup();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 2);  // both are past 60 s now
  Result<SendResult> again = service_->SendMessage("q", {.body = "new", .deduplication_id = "d"});
  ASSERT_TRUE(again.ok());
  Result<QueueAttributes> attrs = service_->GetQueueAttributes("q", {"All"});
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessages"), "1");
}

TEST_F(PostgresQueueTest, ExpiredAndDeadLetterMessagesAtTheHeadDoNotHideLaterOnes) {
  // A receive looks only at the oldest visible messages (as many as it asks for): the ones there
  // that have to move to the dead-letter queue or have expired are dealt with, and it looks again.
  ASSERT_TRUE(service_->CreateQueue("dlq", {}).ok());
  ASSERT_TRUE(
      service_
          ->CreateQueue("q", {{"MessageRetentionPeriod", "60"},
                              {"RedrivePolicy",
                               R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq",)"
                               R"("maxReceiveCount":"1"})"}})
          .ok());
  ASSERT_TRUE(service_->SendMessage("q", {.body = "poison"}).ok());
  auto receive_one = [&](const std::string& queue) {
    Result<std::vector<Message>> got = service_->ReceiveMessage(
        queue, {.max_messages = 1, .wait_seconds = 0, .visibility_timeout = 0});
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::vector<Message>{};
  };
  std::vector<Message> got = receive_one("q");  // received once, visible again at once
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "poison");
  clock_.AdvanceMicros(1000);
  ASSERT_TRUE(service_->SendMessage("q", {.body = "expiring"}).ok());
  // "poison" is at the head over maxReceiveCount: moved, and the same receive returns the next.
  got = receive_one("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "expiring");
  // "expiring" is at the head, over maxReceiveCount too, but past retention first: deleted.
  clock_.AdvanceSeconds(61);
  ASSERT_TRUE(service_->SendMessage("q", {.body = "fresh"}).ok());
  got = receive_one("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "fresh");
  // Only "poison" was moved; the expired one went for good.
  Result<std::vector<Message>> dead =
      service_->ReceiveMessage("dlq", {.max_messages = 10, .wait_seconds = 0});
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->at(0).body, "poison");
  auto* pg = static_cast<PostgresQueueService*>(service_.get());
  Result<int64_t> deleted = pg->RunCleanup();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 0);
}

}  // namespace
}  // namespace mlw::queue
