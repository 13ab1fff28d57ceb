// The runtime in-process on the embedded queue, seen through a CountingQueueService: how it batches
// queue calls, where cheap jobs run (RunReadyInline), and that the guarantees hold with them.
// Real worker processes are tested in tests/worker/. No test here asserts a duration.
#include "worker/worker_runtime.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/log.h"
#include "core/metrics.h"
#include "queue/counting_queue_service.h"
#include "queue/queue_factory.h"
#include "store/temp_dir.h"
#include "worker/file_user_lease.h"

namespace mlw::worker {
namespace {

using std::chrono::milliseconds;

std::string Body(const std::string& job_type, int64_t user_id, const char* priority = "normal") {
  return R"({"job_type":")" + job_type + R"(","user_id":)" + std::to_string(user_id) +
         R"(,"priority":")" + priority + R"("})";
}

// Which threads ran handlers, and whether two jobs of one user ever overlapped.
class Recorder {
 public:
  void Enter(int64_t user, const std::string& job_type) {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_[user]++ > 0) ++overlaps_;
    threads_[job_type].insert(std::this_thread::get_id());
  }
  void Leave(int64_t user) {
    std::lock_guard<std::mutex> lock(mu_);
    --running_[user];
  }
  int overlaps() {
    std::lock_guard<std::mutex> lock(mu_);
    return overlaps_;
  }
  std::set<std::thread::id> Threads(const std::string& job_type) {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_[job_type];
  }
  void ClearThreads() {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.clear();
  }

 private:
  std::mutex mu_;
  std::map<int64_t, int> running_;
  std::map<std::string, std::set<std::thread::id>> threads_;
  int overlaps_ = 0;
};

// A gate a handler can wait at until the test opens it.
class Gate {
 public:
  void WaitOpen() {
    std::unique_lock<std::mutex> lock(mu_);
    reached_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  bool WaitReached(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return reached_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool reached_ = false, open_ = false;
};

class WorkerRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log::SetLevel(log::Level::kError);
    auto opened = queue::OpenQueueService("sqlite://" + dir_.path() + "/queue.db", {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    queue_ = std::move(opened->service);
    counting_ = std::make_unique<queue::CountingQueueService>(queue_.get());
    auto leases = FileUserLeases::Open(dir_.path() + "/db.leases");
    ASSERT_TRUE(leases.ok()) << leases.status().ToString();
    leases_ = std::move(leases).value();
    options_.mode = WorkerMode::kSqs;
    options_.queues.queue_name = "work";
    options_.queues.dead_letter_queue_name = "work-dlq";
    options_.wait_seconds = 1;
    options_.visibility_timeout_seconds = 30;
    // Which job types count as cheap must not depend on how busy the machine is: every type run
    // at least once qualifies unless a test says otherwise.
    options_.inline_max_handler_seconds = 10;
    ASSERT_TRUE(EnsureQueues(*queue_, options_.queues).ok());
  }

  void TearDown() override {
    if (thread_.joinable()) {
      runtime_->Stop();
      thread_.join();
    }
  }

  // Registers "job", whose handler waits for `gate` for user 99 and returns at once otherwise.
  void RegisterJobGatedAtUser99(Gate& gate) {
    ASSERT_TRUE(registry_
                    .Register("job",
                              [&gate](const Job& job) {
                                if (job.user_id == 99) gate.WaitOpen();
                                return Status::Ok();
                              })
                    .ok());
  }

  void Start() {
    runtime_ = std::make_unique<WorkerRuntime>(options_, counting_.get(), leases_.get(), &registry_,
                                               &metrics_);
    thread_ = std::thread([this] { summary_ = runtime_->Run(); });
  }

  WorkerSummary StopAndJoin() {
    runtime_->Stop();
    thread_.join();
    EXPECT_TRUE(summary_.ok()) << summary_.status().ToString();
    return summary_.ok() ? *summary_ : WorkerSummary{};
  }

  // Sends the bodies in batches of 10, in order.
  void Send(const std::vector<std::string>& bodies) {
    for (size_t i = 0; i < bodies.size(); i += 10) {
      std::vector<queue::SendEntry> batch;
      for (size_t j = i; j < std::min(bodies.size(), i + 10); ++j) {
        batch.push_back({std::to_string(j - i), bodies[j], std::nullopt, {}, ""});
      }
      auto sent = queue_->SendMessageBatch("work", batch);
      ASSERT_TRUE(sent.ok()) << sent.status().ToString();
      ASSERT_TRUE(sent->failed.empty());
    }
  }

  static bool WaitFor(const std::function<bool()>& done, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(5));
    }
    return true;
  }

  bool WaitDeleted(int64_t total) {
    return WaitFor([&] { return counting_->counts().deleted >= total; }, std::chrono::seconds(60));
  }

  store::testing::TempDir dir_;
  std::unique_ptr<queue::QueueService> queue_;
  std::unique_ptr<queue::CountingQueueService> counting_;
  std::unique_ptr<FileUserLeases> leases_;
  HandlerRegistry registry_;
  metrics::Registry metrics_registry_;
  WorkerMetrics metrics_{metrics_registry_, "test"};
  WorkerOptions options_;
  std::unique_ptr<WorkerRuntime> runtime_;
  std::thread thread_;
  Result<WorkerSummary> summary_ = WorkerSummary{};
  Recorder recorder_;
};

TEST_F(WorkerRuntimeTest, AReceiveBatchOfCheapJobsRunsOnOneThreadAndIsDeletedInOneCall) {
  ASSERT_TRUE(registry_
                  .Register("noop",
                            [&](const Job& job) {
                              recorder_.Enter(job.user_id, job.job_type);
                              recorder_.Leave(job.user_id);
                              return Status::Ok();
                            })
                  .ok());
  options_.concurrency = 4;
  Start();
  // The first runs measure the handler (a job type not run yet goes to the handler threads).
  Send({Body("noop", 1), Body("noop", 2), Body("noop", 3)});
  ASSERT_TRUE(WaitDeleted(3));
  recorder_.ClearThreads();
  const queue::QueueCallCounts before = counting_->counts();

  std::vector<std::string> batch;
  for (int user = 11; user <= 20; ++user) batch.push_back(Body("noop", user));
  Send(batch);  // one SendMessageBatch: all ten become visible together
  ASSERT_TRUE(WaitDeleted(13));

  const queue::QueueCallCounts d = counting_->counts() - before;
  EXPECT_EQ(d.received, 10);
  EXPECT_EQ(d.receive_calls - d.empty_receives, 1);
  EXPECT_EQ(d.delete_calls, 1);
  EXPECT_EQ(d.deleted, 10);
  EXPECT_EQ(d.visibility_calls, 0);
  EXPECT_EQ(recorder_.Threads("noop").size(), 1u);
  const WorkerSummary summary = StopAndJoin();
  EXPECT_EQ(summary.processed, 13);
  EXPECT_EQ(summary.abandoned, 0);
}

TEST_F(WorkerRuntimeTest, JobsOfOneUserNeverOverlapWhetherOnTheReceiverOrTheHandlerThreads) {
  // "quick" runs on the receiving thread, "slow" (20 ms) on the handler threads; both for the
  // same four users, so every batch has jobs of one user on both sides.
  auto handler = [&](int sleep_ms) {
    return [&, sleep_ms](const Job& job) {
      recorder_.Enter(job.user_id, job.job_type);
      if (sleep_ms > 0) std::this_thread::sleep_for(milliseconds(sleep_ms));
      recorder_.Leave(job.user_id);
      return Status::Ok();
    };
  };
  ASSERT_TRUE(registry_.Register("quick", handler(0)).ok());
  ASSERT_TRUE(registry_.Register("slow", handler(20)).ok());
  options_.concurrency = 3;
  options_.inline_max_handler_seconds = 0.005;
  Start();
  Send({Body("quick", 1), Body("quick", 2), Body("slow", 3)});
  ASSERT_TRUE(WaitDeleted(3));

  std::vector<std::string> bodies;
  for (int i = 0; i < 60; ++i) {
    // High priority puts the quick jobs first in each batch, where the receiver takes them.
    const int user = 1 + (i / 2) % 4;
    bodies.push_back(i % 2 == 0 ? Body("quick", user, "high") : Body("slow", user));
  }
  Send(bodies);
  ASSERT_TRUE(WaitDeleted(63));

  EXPECT_EQ(recorder_.overlaps(), 0);
  // The receiver never runs the slow type, so a thread that ran quick jobs and no slow one is it.
  std::set<std::thread::id> receiver_only = recorder_.Threads("quick");
  for (const auto& id : recorder_.Threads("slow")) receiver_only.erase(id);
  EXPECT_FALSE(receiver_only.empty());
  const WorkerSummary summary = StopAndJoin();
  EXPECT_EQ(summary.processed, 63);
  EXPECT_EQ(summary.failed, 0);
}

TEST_F(WorkerRuntimeTest, StopWhileTheReceiverRunsAHandlerReturnsTheRestAtOnceAndWaitsForIt) {
  Gate gate;
  RegisterJobGatedAtUser99(gate);
  options_.concurrency = 1;  // no free slot for a handler thread while the receiver runs one
  options_.shutdown_grace_seconds = 60;
  Start();
  Send({Body("job", 1), Body("job", 2), Body("job", 3)});
  ASSERT_TRUE(WaitDeleted(3));
  const queue::QueueCallCounts before = counting_->counts();

  std::vector<std::string> batch = {Body("job", 99, "high")};
  for (int user = 21; user <= 29; ++user) batch.push_back(Body("job", user));
  Send(batch);
  ASSERT_TRUE(gate.WaitReached(std::chrono::seconds(60)));
  runtime_->Stop();
  // The nine unstarted messages are made visible while the handler still runs.
  EXPECT_TRUE(WaitFor([&] { return (counting_->counts() - before).visibility_changes == 9; },
                      std::chrono::seconds(60)));
  gate.Open();
  thread_.join();
  ASSERT_TRUE(summary_.ok()) << summary_.status().ToString();
  EXPECT_EQ(summary_->processed, 4);
  EXPECT_EQ(summary_->returned_unstarted, 9);
  EXPECT_EQ(summary_->abandoned, 0);
  EXPECT_EQ((counting_->counts() - before).deleted, 1);  // the running one finished and settled
}

TEST_F(WorkerRuntimeTest, ACheapJobThatBlocksHandsTheRestOfItsBatchToTheHandlerThreads) {
  Gate gate;
  RegisterJobGatedAtUser99(gate);
  options_.concurrency = 2;
  options_.visibility_timeout_seconds = 1;  // the maintainer ticks every 125 ms
  Start();
  Send({Body("job", 1), Body("job", 2), Body("job", 3)});
  ASSERT_TRUE(WaitDeleted(3));

  std::vector<std::string> batch = {Body("job", 99, "high")};
  for (int user = 21; user <= 29; ++user) batch.push_back(Body("job", user));
  Send(batch);
  ASSERT_TRUE(gate.WaitReached(std::chrono::seconds(60)));
  // The other nine finish on a handler thread while the receiver is still held by user 99.
  EXPECT_TRUE(WaitDeleted(12));
  gate.Open();
  ASSERT_TRUE(WaitDeleted(13));
  const WorkerSummary summary = StopAndJoin();
  EXPECT_EQ(summary.processed, 13);
}

}  // namespace
}  // namespace mlw::worker
