// Worker process tests of putting messages back without a failure: a handler that answers
// Status::RetryLater (rows leased by a worker that died) defers its message to when the handler
// said, never counting toward the dead-letter queue; jobs of the aggregation sweep, which have no
// message, are never put back as if they had one.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/worker/worker_process_fixture.h"

namespace mlw::worker {
namespace {

using std::chrono::seconds;
using testing::WaitFor;
using testing::WorkerProcessTest;

TEST_P(WorkerProcessTest, RetryLaterDefersTheMessageWithoutFailingOrDeadLettering) {
  // maxReceiveCount is 3: four retry-later answers cross it, which must not dead-letter.
  auto w = Start();
  const std::string id =
      Send(R"({"job_type":"test_job","user_id":50,"retry_later_times":4,"retry_after":2})");
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == 1; }, seconds(60)))
      << w->RawLog();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE message_id = $1", {id}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_runs WHERE message_id = $1 AND ok = 2", {id}), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_runs WHERE ok = 0"), 0);
  EXPECT_TRUE(w->Events("message_failed").empty()) << w->RawLog();
  EXPECT_TRUE(w->Events("message_defer_failed").empty()) << w->RawLog();
  auto deferred = w->Events("message_deferred");
  ASSERT_EQ(deferred.size(), 4u) << w->RawLog();
  bool requeued = false;
  for (const auto& e : deferred) {
    EXPECT_EQ(e["reason"], "retry_later");
    EXPECT_EQ(e["delay_seconds"], 2);
    requeued = requeued || e["requeued_as_new_message"] == true;
  }
  EXPECT_TRUE(requeued) << "the third receive should have been re-sent as a fresh copy";
  // Each retry started no earlier than the handler asked (visibility 2 s, not the 1 s backoff).
  auto rows =
      Db().Query("SELECT start_us FROM job_starts WHERE message_id = $1 ORDER BY start_us", {id});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u);
  for (size_t i = 1; i < rows->size(); ++i) {
    EXPECT_GE((*rows)[i].Int(0) - (*rows)[i - 1].Int(0), 1'800'000) << "run " << i;
  }
  EXPECT_TRUE(WaitFor([&] { return Total("ml-worker") == 0; }, seconds(10)));
  EXPECT_EQ(Total("ml-worker-dlq"), 0);
}

TEST_P(WorkerProcessTest, SweepJobsAreNeverPutBackAsMessages) {
  // Mode both, busy: queue jobs settle all the time (each wakes the lease retrier) while sweeps
  // dispatch many users a second. A sweep job has no receipt handle; deferring one would fail
  // with ReceiptHandleIsInvalid and log an empty message id.
  auto w = Start({{"ML_WORKER_MODE", "both"}, {"ML_WORKER_VISIBILITY_TIMEOUT", "1"}});
  constexpr int kRounds = 5, kUsers = 120;
  for (int round = 0; round < kRounds; ++round) {
    for (int u = 1; u <= kUsers; ++u) {
      ASSERT_TRUE(Db().Exec("INSERT INTO pending_rows (user_id, status) VALUES ($1, 'pending')",
                            {int64_t{1000 + u}})
                      .ok());
      Send(R"({"job_type":"test_job","user_id":)" + std::to_string(2000 + u % 7) + "}");
    }
    ASSERT_TRUE(WaitFor(
        [&] { return Count("SELECT COUNT(*) FROM pending_rows WHERE status = 'pending'") == 0; },
        seconds(30)))
        << w->RawLog();
  }
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == kRounds * kUsers; },
                      seconds(60)));
  EXPECT_TRUE(w->Events("message_defer_failed").empty()) << w->RawLog();
  for (const auto& e : w->Events("message_deferred")) {
    EXPECT_FALSE(e.value("message_id", std::string()).empty()) << e.dump();
  }
  EXPECT_EQ(Total("ml-worker-dlq"), 0);
}

}  // namespace
}  // namespace mlw::worker
