#include "worker/worker_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>

namespace mlw::worker {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char tmpl[] = "/tmp/mlw_worker_config_XXXXXX";
    int fd = mkstemp(tmpl);
    path_ = tmpl;
    ::close(fd);
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(WorkerConfigTest, DefaultsMatchTheOriginalDeployment) {
  auto c = LoadWorkerConfig("", {}, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->enabled);
  EXPECT_EQ(c->runtime.mode, WorkerMode::kBoth);
  EXPECT_EQ(c->runtime.queues.queue_name, "ml-worker");
  EXPECT_EQ(c->runtime.queues.dead_letter_queue_name, "ml-worker-dlq");
  EXPECT_EQ(c->runtime.queues.max_receive_count, 3);
  EXPECT_EQ(c->runtime.visibility_timeout_seconds, 300);
  EXPECT_EQ(c->runtime.queues.visibility_timeout_seconds, 300);
  EXPECT_EQ(c->runtime.batch_size, 10);
  EXPECT_EQ(c->runtime.wait_seconds, 20);
  EXPECT_EQ(c->runtime.sweep_interval_seconds, 30);
  EXPECT_EQ(c->row_lease_seconds, 300);
  EXPECT_EQ(c->metrics_address, "127.0.0.1");
  EXPECT_EQ(c->queue_url.rfind("sqlite:///", 0), 0u) << c->queue_url;
  EXPECT_NE(c->queue_url.find("/mlworker-data/queue.db"), std::string::npos) << c->queue_url;
}

TEST(WorkerConfigTest, FlagsBeatEnvironmentBeatsFile) {
  TempFile file(
      "data_dir = \"/srv/d/\"\n[worker]\nmode = \"aggregation\"\nbatch_size = 3\n"
      "wait_time = 4\nconcurrency = 2\n");
  auto c = LoadWorkerConfig(file.path(), {{"ML_WORKER_MODE", "sqs"}, {"ML_WORKER_BATCH_SIZE", "5"}},
                            {{"worker.batch_size", "7"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->runtime.batch_size, 7);           // flag
  EXPECT_EQ(c->runtime.mode, WorkerMode::kSqs);  // environment
  EXPECT_EQ(c->runtime.wait_seconds, 4);         // file
  EXPECT_EQ(c->runtime.concurrency, 2);          // file
  EXPECT_EQ(c->queue_url, "sqlite:///srv/d/queue.db");
  EXPECT_EQ(c->database_url, "sqlite:///srv/d/mlworker.db");
}

TEST(WorkerConfigTest, BadValuesNameKeyValueAndWhatIsAccepted) {
  auto c = LoadWorkerConfig("", {{"ML_WORKER_BATCH_SIZE", "11"}}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("ML_WORKER_BATCH_SIZE"), std::string::npos);
  EXPECT_NE(c.status().message().find("\"11\""), std::string::npos);
  EXPECT_NE(c.status().message().find("from 1 to 10"), std::string::npos);

  c = LoadWorkerConfig("", {}, {{"worker.mode", "turbo"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("worker.mode"), std::string::npos);
  EXPECT_NE(c.status().message().find("sqs, aggregation, both"), std::string::npos);

  for (const char* v : {"abc", "20x", "-1", "21", "1.5"}) {
    EXPECT_FALSE(LoadWorkerConfig("", {{"ML_WORKER_WAIT_TIME", v}}, {}).ok()) << v;
  }
  EXPECT_FALSE(LoadWorkerConfig("", {{"ML_WORKER_VISIBILITY_TIMEOUT", "0"}}, {}).ok());
  EXPECT_FALSE(LoadWorkerConfig("", {{"ML_WORKER_ENABLED", "maybe"}}, {}).ok());
  auto off = LoadWorkerConfig("", {{"ML_WORKER_ENABLED", "false"}}, {});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->enabled);
  EXPECT_FALSE(LoadWorkerConfig("", {}, {{"worker.queue_name", ""}}).ok());
}

TEST(WorkerConfigTest, RowLeaseFromEnvironmentOrFlagWithinBounds) {
  auto c = LoadWorkerConfig("", {{"ML_WORKER_ROW_LEASE_SECONDS", "7"}}, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->row_lease_seconds, 7);
  c = LoadWorkerConfig("", {{"ML_WORKER_ROW_LEASE_SECONDS", "7"}},
                       {{"worker.row_lease_seconds", "9"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->row_lease_seconds, 9);
  for (const char* v : {"0", "43201", "x"}) {
    c = LoadWorkerConfig("", {{"ML_WORKER_ROW_LEASE_SECONDS", v}}, {});
    ASSERT_FALSE(c.ok()) << v;
    EXPECT_NE(c.status().message().find("ML_WORKER_ROW_LEASE_SECONDS"), std::string::npos);
  }
}

TEST(WorkerConfigTest, TriggerThrottleAndWhetherConcurrencyWasChosen) {
  auto c = LoadWorkerConfig("", {}, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->trigger_min_interval_seconds, 5);
  EXPECT_FALSE(c->concurrency_configured);
  c = LoadWorkerConfig(
      "", {{"ML_WORKER_TRIGGER_MIN_INTERVAL_SECONDS", "0"}, {"ML_WORKER_CONCURRENCY", "4"}}, {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->trigger_min_interval_seconds, 0);
  EXPECT_TRUE(c->concurrency_configured);
  EXPECT_EQ(c->runtime.concurrency, 4);
  EXPECT_FALSE(LoadWorkerConfig("", {{"ML_WORKER_TRIGGER_MIN_INTERVAL_SECONDS", "901"}}, {}).ok());
}

TEST(WorkerConfigTest, FileTyposAreRejected) {
  TempFile typo("[worker]\nbatchsize = 3\n");
  auto c = LoadWorkerConfig(typo.path(), {}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("worker.batchsize"), std::string::npos);
}

TEST(WorkerConfigTest, CrossFieldChecks) {
  auto c =
      LoadWorkerConfig("", {{"ML_WORKER_BACKOFF_BASE", "60"}, {"ML_WORKER_BACKOFF_MAX", "10"}}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("worker.backoff_base"), std::string::npos);
}

TEST(WorkerConfigTest, SpecCoversTheNamesOfTheOriginalSystem) {
  std::set<std::string> envs;
  for (const auto& k : WorkerConfigSpec()) envs.insert(k.env);
  for (const char* e :
       {"ML_WORKER_MODE", "ML_WORKER_SQS_QUEUE_URL", "ML_WORKER_BATCH_SIZE", "ML_WORKER_WAIT_TIME",
        "ML_WORKER_VISIBILITY_TIMEOUT", "ML_WORKER_ENABLED", "DATABASE_URL"}) {
    EXPECT_TRUE(envs.count(e)) << e;
  }
}

}  // namespace
}  // namespace mlw::worker
