// Shared fixture of the worker process tests: a queue and database for one test, worker harness
// processes (tests/worker/worker_harness) started on them with short timeouts, and helpers that
// look at the queue and the database as the workers left them. Tests only.
//
// Parameterized by backend: "sqlite" (files in a temporary directory) or "postgres" (a fresh
// database in the throwaway cluster of tests/postgres/pg_test_cluster.h, used for both the queue
// and the database; the test skips when the PostgreSQL server binaries are absent).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pg_test_cluster.h"
#include "queue/postgres_queue.h"
#include "queue/queue_factory.h"
#include "store/database_factory.h"
#include "store/postgres_database.h"
#include "store/test_util.h"
#include "tests/worker/worker_process.h"
#include "worker/user_lease_factory.h"

namespace mlw::worker::testing {

using std::chrono::milliseconds;
using std::chrono::seconds;

class WorkerProcessTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      std::string why;
      pgtest::PgTestCluster* cluster = pgtest::PgTestCluster::Shared(&why);
      if (cluster == nullptr) GTEST_SKIP() << why;
      queue::RegisterPostgresQueueBackend();
      store::RegisterPostgresDatabase();
      Result<std::string> url = cluster->CreateDatabase();
      ASSERT_TRUE(url.ok()) << url.status().ToString();
      queue_url_ = *url + "?queue=ml-worker";
      db_url_ = *url;
    } else {
      queue_url_ = "sqlite://" + dir_.path() + "/queue.db";
      db_url_ = "sqlite://" + dir_.path() + "/db.db";
    }
    auto q = queue::OpenQueueService(queue_url_, {});
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    queues_ = std::move(q->service);
  }

  // Short timeouts so that retries, heartbeats and redeliveries happen within seconds.
  std::map<std::string, std::string> Env(const std::map<std::string, std::string>& overrides) {
    std::map<std::string, std::string> env = {
        {"ML_WORKER_MODE", "sqs"},           {"ML_WORKER_SQS_QUEUE_URL", queue_url_},
        {"DATABASE_URL", db_url_},           {"MLW_DATA_DIR", dir_.path()},
        {"ML_WORKER_WAIT_TIME", "1"},        {"ML_WORKER_VISIBILITY_TIMEOUT", "2"},
        {"ML_WORKER_BACKOFF_BASE", "1"},     {"ML_WORKER_BACKOFF_MAX", "2"},
        {"ML_WORKER_CONCURRENCY", "4"},      {"ML_WORKER_SHUTDOWN_GRACE", "20"},
        {"ML_WORKER_LEASE_BUSY_DELAY", "1"}, {"ML_WORKER_METRICS_PORT", "0"},
        {"ML_WORKER_SWEEP_INTERVAL", "1"},
    };
    for (const auto& [k, v] : overrides) env[k] = v;
    return env;
  }

  std::unique_ptr<WorkerProcess> Start(const std::map<std::string, std::string>& overrides = {}) {
    std::string log = dir_.path() + "/worker-" + std::to_string(++workers_) + ".log";
    auto p = std::make_unique<WorkerProcess>(MLW_WORKER_HARNESS, Env(overrides), log);
    EXPECT_GT(p->pid(), 0);
    EXPECT_TRUE(p->WaitForEvent("worker_startup", seconds(20))) << p->RawLog();
    return p;
  }

  std::string Send(const std::string& body) {
    queue::SendEntry e;
    e.body = body;
    auto r = queues_->SendMessage("ml-worker", std::move(e));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->message_id : "";
  }

  store::Database& Db() {
    if (!db_) {
      auto db = store::OpenDatabase(db_url_);
      EXPECT_TRUE(db.ok()) << db.status().ToString();
      db_ = std::move(db).value();
    }
    return *db_;
  }

  // Another worker's view of the per-user leases, by the mechanism the workers use for this
  // database (user_lease_factory.h): the lock file next to SQLite, rows on PostgreSQL.
  UserLeases& OtherLeases() {
    if (!other_leases_) {
      auto opened = OpenUserLeases(&Db(), &SystemClock::Default());
      EXPECT_TRUE(opened.ok()) << opened.status().ToString();
      other_leases_ = std::move(opened).value();
    }
    return *other_leases_;
  }
  // Whether no worker holds `user`'s lease: taking it from outside succeeds (and is undone).
  bool LeaseFree(int64_t user) {
    auto got = OtherLeases().TryAcquire({{user, "probe"}}, 10);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || !(*got)[0]) return false;
    EXPECT_TRUE(OtherLeases().Release({{user, "probe"}}).ok());
    return true;
  }
  bool OnSqlite() const { return GetParam() != "postgres"; }

  int64_t Count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    auto rows = Db().Query(sql, params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->empty()) return -1;
    return (*rows)[0].Int(0);
  }

  int64_t Attr(const std::string& queue, const std::string& name) {
    auto attrs = queues_->GetQueueAttributes(queue, {name});
    EXPECT_TRUE(attrs.ok()) << attrs.status().ToString();
    return attrs.ok() ? std::stoll((*attrs)[name]) : -1;
  }
  int64_t Visible(const std::string& queue) { return Attr(queue, "ApproximateNumberOfMessages"); }
  int64_t Total(const std::string& queue) {
    return Visible(queue) + Attr(queue, "ApproximateNumberOfMessagesNotVisible") +
           Attr(queue, "ApproximateNumberOfMessagesDelayed");
  }

  // Receives every message of `queue` (they become invisible for a minute).
  std::vector<queue::Message> Drain(const std::string& queue, size_t expected) {
    std::vector<queue::Message> out;
    WaitFor(
        [&] {
          queue::ReceiveOptions ro;
          ro.max_messages = 10;
          ro.wait_seconds = 0;
          ro.visibility_timeout = 60;
          auto got = queues_->ReceiveMessage(queue, ro);
          if (got.ok()) out.insert(out.end(), got->begin(), got->end());
          return out.size() >= expected;
        },
        seconds(10));
    return out;
  }

  static std::string AttrOf(const queue::Message& m, const std::string& name) {
    auto it = m.attributes.find(name);
    return it == m.attributes.end() ? "" : it->second.string_value;
  }

  store::testing::TempDir dir_;
  std::string queue_url_, db_url_;
  std::unique_ptr<queue::QueueService> queues_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<UserLeases> other_leases_;  // destroyed before db_, which it may use
  int workers_ = 0;
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace mlw::worker::testing
