// Integration tests of the worker runtime with real worker processes (tests/worker/worker_harness)
// on the embedded SQLite queue and database, and on PostgreSQL: validation dead-letters, retries
// with backoff, the redrive policy, heartbeats, per-user serialization across processes, graceful
// and forced shutdown, crash recovery, aggregation sweeps, metrics and idle exit.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "queue/queue_factory.h"
#include "store/database_factory.h"
#include "store/test_util.h"
#include "tests/worker/worker_process_fixture.h"
#include "worker/dead_letter.h"
#include "worker/handler_registry.h"
#include "worker/queue_setup.h"

namespace mlw::worker {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::WaitFor;
using testing::WorkerProcess;
using testing::WorkerProcessTest;

TEST_P(WorkerProcessTest, InvalidMessagesGoStraightToTheDeadLetterQueueWithTheirReason) {
  auto w = Start();
  const std::vector<std::pair<std::string, std::string>> poison = {
      {"not json", kReasonInvalidJson},
      {"[1]", kReasonNotObject},
      {R"({"job_type":"drop_tables","user_id":1})", kReasonUnknownJobType},
      {R"({"job_type":"test_job","user_id":"12"})", kReasonInvalidUserId},
      {R"({"job_type":"test_job","user_id":-3})", kReasonInvalidUserId},
      {R"({"job_type":"test_job","user_id":1.5})", kReasonInvalidUserId},
      {R"({"job_type":"test_job","user_id":99999999999999999999})", kReasonInvalidUserId},
      {R"({"job_type":"test_job","user_id":1,"priority":"urgent"})", kReasonInvalidPriority},
      {R"({"job_type":"test_job","user_id":1,"sleep_ms":"x"})", kReasonInvalidField},
  };
  std::map<std::string, std::string> expected;  // message id -> reason
  for (const auto& [body, reason] : poison) expected[Send(body)] = reason;
  const std::string good = Send(R"({"job_type":"test_job","user_id":1})");

  auto dead = Drain("ml-worker-dlq", poison.size());
  ASSERT_EQ(dead.size(), poison.size()) << w->RawLog();
  for (const auto& m : dead) {
    const std::string original = AttrOf(m, kAttrOriginalMessageId);
    ASSERT_TRUE(expected.count(original)) << original;
    EXPECT_EQ(AttrOf(m, kAttrDeadLetterReason), expected[original]);
    EXPECT_EQ(AttrOf(m, kAttrSourceQueue), "ml-worker");
    EXPECT_EQ(AttrOf(m, kAttrReceiveCount), "1");  // never retried
    EXPECT_FALSE(AttrOf(m, kAttrDeadLetterDetail).empty());
  }
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == 1; }, seconds(10)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE message_id = $1", {good}), 1);
  // No handler ever saw a poison message.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_starts"), 1);
  EXPECT_TRUE(WaitFor([&] { return Total("ml-worker") == 0; }, seconds(5)));
  // Logs name the reason but carry no message body.
  auto events = w->Events("message_dead_lettered");
  EXPECT_EQ(events.size(), poison.size());
  EXPECT_EQ(w->RawLog().find("drop_tables"), std::string::npos);
}

TEST_P(WorkerProcessTest, FailingTwiceThenSucceedingIsRetriedWithBackoff) {
  auto w = Start();
  const std::string id = Send(R"({"job_type":"test_job","user_id":5,"fail_times":2})");
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == 1; }, seconds(20)))
      << w->RawLog();
  auto rows = Db().Query(
      "SELECT receive_count, ok, start_us, end_us FROM job_runs WHERE message_id = $1 "
      "ORDER BY start_us",
      {id});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*rows)[i].Int(0), i + 1);
    EXPECT_EQ((*rows)[i].Int(1), i == 2 ? 1 : 0);
  }
  // Each retry waited at least the backoff's 1 second floor before coming back.
  for (int i = 1; i < 3; ++i) {
    EXPECT_GE((*rows)[i].Int(2) - (*rows)[i - 1].Int(3), 900'000) << "retry " << i;
  }
  auto failed = w->Events("message_failed");
  ASSERT_EQ(failed.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(failed[i]["receive_count"], i + 1);
    EXPECT_GE(failed[i]["retry_in_seconds"].get<int>(), 1);
    EXPECT_EQ(failed[i]["final_attempt"], false);
  }
  EXPECT_TRUE(WaitFor([&] { return Total("ml-worker") == 0; }, seconds(5)));
  EXPECT_EQ(Total("ml-worker-dlq"), 0);

  // The metrics listener reports the same story.
  auto listening = w->Events("metrics_listening");
  ASSERT_EQ(listening.size(), 1u);
  std::string metrics = testing::HttpGet(listening[0]["port"].get<int>(), "/metrics");
  EXPECT_NE(metrics.find("200 OK"), std::string::npos);
  EXPECT_NE(metrics.find("mlworker_worker_messages_processed_total{job_type=\"test_job\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("mlworker_worker_messages_failed_total{job_type=\"test_job\"} 2\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("mlworker_worker_handler_duration_seconds_count{job_type=\"test_job\"} 3"),
            std::string::npos);
  EXPECT_NE(metrics.find("mlworker_build_info{version=\"test-harness\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("mlworker_worker_in_flight 0"), std::string::npos);
  EXPECT_NE(metrics.find("mlworker_worker_queue_messages{queue=\"ml-worker\",state=\"visible\"}"),
            std::string::npos);
}

TEST_P(WorkerProcessTest, AlwaysFailingMessageReachesTheDeadLetterQueueAfterMaxReceiveCount) {
  auto w = Start();
  const std::string id = Send(R"({"job_type":"test_job","user_id":6,"fail_times":100})");
  auto dead = Drain("ml-worker-dlq", 1);
  ASSERT_EQ(dead.size(), 1u) << w->RawLog();
  EXPECT_EQ(dead[0].message_id, id);  // moved by the redrive policy, not copied
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_runs WHERE message_id = $1", {id}), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 0);
  auto dl = w->Events("message_dead_lettered");
  ASSERT_EQ(dl.size(), 1u);
  EXPECT_EQ(dl[0]["reason"], "max_receive_count");
  EXPECT_EQ(Total("ml-worker"), 0);
}

TEST_P(WorkerProcessTest, HandlerSlowerThanTheVisibilityTimeoutIsNotRedelivered) {
  // Two workers, so a redelivery would be picked up by the idle one.
  auto a = Start();
  auto b = Start();
  const std::string id = Send(R"({"job_type":"test_job","user_id":7,"sleep_ms":5000})");
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == 1; }, seconds(20)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_starts WHERE message_id = $1", {id}), 1);
  EXPECT_EQ(Count("SELECT MAX(receive_count) FROM job_runs WHERE message_id = $1", {id}), 1);
  EXPECT_TRUE(WaitFor([&] { return Total("ml-worker") == 0; }, seconds(5)));
  EXPECT_EQ(a->Events("message_received").size() + b->Events("message_received").size(), 1u);
}

TEST_P(WorkerProcessTest, SameUserNeverRunsTwiceAtOnceAcrossThreadsAndProcesses) {
  auto a = Start({{"ML_WORKER_BATCH_SIZE", "5"}});
  auto b = Start({{"ML_WORKER_BATCH_SIZE", "5"}});
  const int kMessages = 36;
  for (int i = 0; i < kMessages; ++i) {
    Send(R"({"job_type":"test_job","user_id":)" + std::to_string(1 + i % 3) + R"(,"sleep_ms":60})");
  }
  ASSERT_TRUE(
      WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == kMessages; }, seconds(60)))
      << a->RawLog() << b->RawLog();
  auto rows = Db().Query("SELECT user_id, start_us, end_us, pid FROM job_runs ORDER BY start_us");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), static_cast<size_t>(kMessages));
  std::map<int64_t, int64_t> last_end;
  std::set<int64_t> pids;
  int overlaps_between_users = 0;
  int64_t prev_end_any = 0;
  for (const auto& r : *rows) {
    int64_t user = r.Int(0), start = r.Int(1), end = r.Int(2);
    EXPECT_GE(start, last_end[user]) << "two jobs of user " << user << " overlapped";
    last_end[user] = end;
    if (start < prev_end_any) ++overlaps_between_users;
    prev_end_any = std::max(prev_end_any, end);
    pids.insert(r.Int(3));
  }
  // The serialization is per user, not global: different users did run in parallel.
  EXPECT_GT(overlaps_between_users, 0);
  EXPECT_EQ(pids.size(), 2u) << "both processes should have taken part";
  // Every lease is released once the last deletes are settled.
  EXPECT_TRUE(WaitFor([&] { return LeaseFree(1) && LeaseFree(2) && LeaseFree(3); }, seconds(5)));
}

TEST_P(WorkerProcessTest, BusyUserIsDeferredWithoutFailingOrDeadLettering) {
  auto w = Start({{"ML_WORKER_LEASE_WAIT", "1"}, {"ML_WORKER_LEASE_BUSY_DELAY", "1"}});
  // Another worker (this test process) holds user 40's lease.
  ASSERT_EQ(*OtherLeases().TryAcquire({{40, "elsewhere:1"}}, 60), std::vector<bool>{true});
  const std::string id = Send(R"({"job_type":"test_job","user_id":40})");
  // Put back on receives 1 and 2; on receive 3 (= maxReceiveCount) re-sent as a fresh message so
  // that the redrive policy cannot dead-letter a trigger that never failed.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& e : w->Events("message_deferred")) {
          if (e["requeued_as_new_message"] == true) return true;
        }
        return false;
      },
      seconds(30)))
      << w->RawLog();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_starts"), 0);
  ASSERT_TRUE(OtherLeases().Release({{40, "elsewhere:1"}}).ok());
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == 1; }, seconds(20)))
      << w->RawLog();
  // The handler saw the original message id: idempotency keys survive the re-send.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE message_id = $1", {id}), 1);
  EXPECT_EQ(Total("ml-worker-dlq"), 0);
  EXPECT_TRUE(w->Events("message_failed").empty());
  EXPECT_GE(w->Events("message_deferred").size(), 3u);
}

TEST_P(WorkerProcessTest, SigtermMidJobFinishesItAndReturnsUnstartedMessagesAtOnce) {
  // One receive batch of three with one handler thread: the high-priority slow job starts, the
  // other two are held unstarted. The queues are set up as the worker would, before it starts.
  ASSERT_TRUE(EnsureQueues(*queues_, QueueSetupOptions{}).ok());
  const std::string slow =
      Send(R"({"job_type":"test_job","user_id":10,"sleep_ms":1500,"priority":"high"})");
  Send(R"({"job_type":"test_job","user_id":11,"priority":"low"})");
  Send(R"({"job_type":"test_job","user_id":12,"priority":"low"})");
  auto w = Start({{"ML_WORKER_CONCURRENCY", "1"}, {"ML_WORKER_VISIBILITY_TIMEOUT", "30"}});
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM job_starts") == 1; }, seconds(10)));
  ASSERT_EQ(w->Events("message_received").size(), 3u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_starts WHERE message_id = $1", {slow}), 1);
  w->Signal(SIGTERM);
  auto status = w->WaitExit(seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << w->RawLog();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE message_id = $1", {slow}), 1);
  // Visible again at once, not after the 30 s visibility timeout.
  EXPECT_EQ(Visible("ml-worker"), 2);
  auto summary = w->Events("worker_shutdown");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0]["processed"], 1);
  EXPECT_EQ(summary[0]["failed"], 0);
  EXPECT_EQ(summary[0]["returned_unstarted"], 2);
  EXPECT_EQ(summary[0]["success_rate"], 1.0);
  EXPECT_TRUE(summary[0].contains("uptime_seconds"));

  auto next = Start();
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == 3; }, seconds(10)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_runs"), 3);
}

TEST_P(WorkerProcessTest, SecondSignalExitsAtOnceAndTheMessageComesBack) {
  auto w = Start({{"ML_WORKER_CONCURRENCY", "1"}});
  const std::string id = Send(R"({"job_type":"test_job","user_id":13,"sleep_ms":4000})");
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM job_starts") == 1; }, seconds(10)));
  w->Signal(SIGTERM);
  ASSERT_TRUE(w->WaitForEvent("worker_signal", seconds(5)));
  w->Signal(SIGTERM);
  auto status = w->WaitExit(seconds(2));  // well before the 4 s handler could finish
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 128 + SIGTERM) << w->RawLog();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 0);
  auto next = Start({{"ML_WORKER_CONCURRENCY", "1"}});
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == 1; }, seconds(20)));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE message_id = $1", {id}), 1);
}

TEST_P(WorkerProcessTest, KillNineMidJobIsRedeliveredAndTakesEffectOnce) {
  auto w = Start();
  const std::string id = Send(R"({"job_type":"test_job","user_id":14,"sleep_ms":1500})");
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM job_starts") == 1; }, seconds(10)));
  w->Signal(SIGKILL);
  ASSERT_TRUE(w->WaitExit(seconds(5)).has_value());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 0);
  if (OnSqlite()) {
    // The kernel dropped the dead worker's lock-file lease with its process: the user is free at
    // once (the message itself comes back when its visibility timeout runs out).
    EXPECT_TRUE(LeaseFree(14));
  } else {
    // The dead worker's lease row stays; it expires with the message's visibility.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM worker_user_leases WHERE user_id = 14"), 1);
  }

  auto next = Start();
  ASSERT_TRUE(WaitFor([&] { return Count("SELECT COUNT(*) FROM effects") == 1; }, seconds(20)))
      << next->RawLog();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects WHERE message_id = $1", {id}), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM job_starts WHERE message_id = $1", {id}), 2);
  EXPECT_EQ(Count("SELECT receive_count FROM job_runs WHERE message_id = $1 AND ok = 1", {id}), 2);
  EXPECT_TRUE(WaitFor([&] { return Total("ml-worker") == 0; }, seconds(5)));
}

TEST_P(WorkerProcessTest, AggregationModeProcessesPendingRowsThatHadNoTrigger) {
  // Rows written straight to the database: no queue message exists for them.
  auto w = Start({{"ML_WORKER_MODE", "aggregation"}});
  auto insert = [&](int64_t user) {
    ASSERT_TRUE(
        Db().Exec("INSERT INTO pending_rows (user_id, status) VALUES ($1, 'pending')", {user})
            .ok());
  };
  // One transaction: a sweep between single inserts could find user 21 twice.
  ASSERT_TRUE(
      Db().InTransaction([](store::Connection& tx) -> Status {
            for (int64_t u : {21, 22, 23, 21}) {
              MLW_RETURN_IF_ERROR(
                  tx.Exec("INSERT INTO pending_rows (user_id, status) VALUES ($1, 'pending')", {u})
                      .status());
            }
            return Status::Ok();
          })
          .ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        return Count(
                   "SELECT COUNT(*) FROM pending_rows WHERE status = "
                   "'pending'") == 0;
      },
      seconds(10)))
      << w->RawLog();
  // Later rows are found by a later sweep.
  insert(24);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Count(
                   "SELECT COUNT(*) FROM pending_rows WHERE status = "
                   "'pending'") == 0;
      },
      seconds(10)));
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT user_id) FROM job_runs"), 4);
  auto sweeps = w->Events("sweep_completed");
  ASSERT_GE(sweeps.size(), 2u);
  int64_t found = 0;
  for (const auto& s : sweeps) found += s["users_found"].get<int64_t>();
  EXPECT_EQ(found, 4);
  EXPECT_EQ(queues_->ListQueues("").value().size(), 0u);  // aggregation mode never touches queues
}

TEST_P(WorkerProcessTest, IdleWorkerExitsByItselfToScaleToZero) {
  auto w = Start({{"ML_WORKER_IDLE_EXIT", "2"}});
  Send(R"({"job_type":"test_job","user_id":30})");
  auto status = w->WaitExit(seconds(15));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM effects"), 1);
  auto summary = w->Events("worker_shutdown");
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0]["reason"], "idle");
}

TEST_P(WorkerProcessTest, BadConfigurationFailsAtStartNamingTheKey) {
  WorkerProcess w(MLW_WORKER_HARNESS, Env({{"ML_WORKER_BATCH_SIZE", "50"}}),
                  dir_.path() + "/bad.log");
  auto status = w.WaitExit(seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
  EXPECT_NE(w.RawLog().find("ML_WORKER_BATCH_SIZE"), std::string::npos) << w.RawLog();
  EXPECT_NE(w.RawLog().find("from 1 to 10"), std::string::npos);
}

// Every TEST_P of the suite in this binary (worker_deferral_test.cc too), on both backends.
INSTANTIATE_TEST_SUITE_P(Backends, WorkerProcessTest, ::testing::Values("sqlite", "postgres"),
                         testing::BackendName);

}  // namespace
}  // namespace mlw::worker
