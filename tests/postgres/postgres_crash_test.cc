// The crash test of issue 7: four `mlworker worker` processes on one PostgreSQL queue and
// database, many trigger messages over many users, one worker killed with SIGKILL every second and
// restarted. At the end every message is processed, no aggregate double-counts, the DLQ is empty.
// The workers run in mode sqs: rows of killed workers are finished by deferred triggers alone.
//
// Size: MLW_PG_CRASH_MESSAGES (default 20000, the issue's figure) trigger messages over
// MLW_PG_CRASH_USERS (default 1000) users, one step sample per message.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "core/clock.h"
#include "pg_test_cluster.h"
#include "pipelines/users.h"
#include "pipelines/vitals/vitals_ingest.h"
#include "queue/postgres_queue.h"
#include "queue/queue_factory.h"
#include "store/database_factory.h"
#include "store/migrations.h"
#include "store/postgres_database.h"

extern char** environ;

namespace mlw {
namespace {

using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v ? std::atoi(v) : fallback;
}

std::string MlworkerBinary() {
  const char* env = std::getenv("MLW_BINARY");
  if (env != nullptr && *env) return env;
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "mlworker").string();
}

// One `mlworker worker` child process; SIGKILLed and reaped on destruction.
class Worker {
 public:
  Worker(const std::string& binary, const std::map<std::string, std::string>& env,
         const std::string& log) {
    std::vector<std::string> storage;
    for (char** p = environ; p && *p; ++p) storage.emplace_back(*p);
    for (const auto& [k, v] : env) storage.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : storage) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<char*> argv = {const_cast<char*>(binary.c_str()), const_cast<char*>("worker"),
                               nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Worker() { Kill(); }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

TEST(PostgresCrashTest, KilledWorkersLoseNothingAndCountNothingTwice) {
  std::string why;
  pgtest::PgTestCluster* cluster = pgtest::PgTestCluster::Shared(&why);
  if (cluster == nullptr) GTEST_SKIP() << why;
  const std::string binary = MlworkerBinary();
  if (!std::filesystem::exists(binary)) GTEST_SKIP() << "no mlworker binary at " << binary;
  const int messages = EnvInt("MLW_PG_CRASH_MESSAGES", 20000);
  const int users = EnvInt("MLW_PG_CRASH_USERS", 1000);

  store::RegisterPostgresDatabase();
  queue::RegisterPostgresQueueBackend();
  Result<std::string> url = cluster->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto db = store::OpenDatabase(*url);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(store::Migrate(**db).ok());
  auto opened = queue::OpenQueueService(*url + "?queue=ml-worker", {});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  queue::QueueService& queues = *opened->service;

  // The queues as the worker would create them, with a redrive policy generous enough for a
  // message to survive several workers killed while holding it (one kill per second here).
  ASSERT_TRUE(queues.CreateQueue("ml-worker-dlq", {}).ok());
  ASSERT_TRUE(queues
                  .CreateQueue("ml-worker",
                               {{"VisibilityTimeout", "5"},
                                {"RedrivePolicy",
                                 R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:)"
                                 R"(ml-worker-dlq","maxReceiveCount":10})"}})
                  .ok());

  // One step sample per message, each user's samples a minute apart within yesterday.
  const Clock& clock = SystemClock::Default();
  const int64_t day_start = (clock.NowMicros() / 86400000000LL - 1) * 86400000000LL;
  std::vector<int64_t> user_ids;
  for (int u = 0; u < users; ++u) {
    auto user = pipelines::CreateUser(**db, clock, "UTC");
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    user_ids.push_back(user->id);
  }
  // Each user's samples go in as one ingest; each sample gets its own trigger message, so a
  // user's triggers mostly find their rows already processed (as coalesced uploads would).
  const int per_user = messages / users;
  for (int u = 0; u < users; ++u) {
    std::vector<pipelines::vitals::VitalSample> samples;
    for (int k = 0; k < per_user; ++k) {
      pipelines::vitals::VitalSample s;
      s.metric = "steps";
      s.value = 1;
      s.unit = "steps";
      s.start_us = s.end_us = day_start + k * 60000000LL;
      samples.push_back(s);
    }
    std::vector<pipelines::RowError> rejected;
    auto ingested =
        pipelines::vitals::IngestVitalSamples(**db, clock, user_ids[u], samples, {}, &rejected);
    ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  }
  std::vector<std::vector<queue::SendEntry>> batches(1);
  for (int i = 0; i < per_user * users; ++i) {
    const int64_t user_id = user_ids[static_cast<size_t>(i % users)];
    if (batches.back().size() == 10) batches.emplace_back();
    batches.back().push_back({.id = "m" + std::to_string(batches.back().size()),
                              .body = R"({"job_type":"process_pending_vitals","user_id":)" +
                                      std::to_string(user_id) + R"(,"priority":"normal"})"});
  }
  const int64_t samples_total = int64_t{per_user} * users;

  const std::string dir = std::filesystem::temp_directory_path() / "mlw-pg-crash";
  std::filesystem::create_directories(dir);
  const std::map<std::string, std::string> env = {
      // Queue consumers only, no aggregation sweep: every row must be finished by a trigger.
      // Rows a killed worker had claimed stay leased for ML_WORKER_ROW_LEASE_SECONDS, longer than
      // the 5 s visibility timeout, so the killed worker's own message comes back while they are
      // still leased: the handler must defer it (Status::RetryLater) until the lease expires
      // rather than acknowledge it.
      {"ML_WORKER_MODE", "sqs"},
      {"ML_WORKER_ROW_LEASE_SECONDS", "8"},
      {"ML_WORKER_SQS_QUEUE_URL", *url + "?queue=ml-worker"},
      {"DATABASE_URL", *url},
      {"MLW_DATA_DIR", dir},
      {"ML_WORKER_WAIT_TIME", "1"},
      {"ML_WORKER_VISIBILITY_TIMEOUT", "5"},
      {"ML_WORKER_BACKOFF_BASE", "1"},
      {"ML_WORKER_BACKOFF_MAX", "2"},
      {"ML_WORKER_CONCURRENCY", "4"},
      {"ML_WORKER_LEASE_BUSY_DELAY", "1"},
      {"ML_WORKER_METRICS_PORT", "0"},
  };
  constexpr int kWorkers = 4;
  std::vector<std::unique_ptr<Worker>> workers;
  int started = 0;
  auto start = [&] {
    return std::make_unique<Worker>(binary, env,
                                    dir + "/worker-" + std::to_string(++started) + ".log");
  };
  for (int w = 0; w < kWorkers; ++w) workers.push_back(start());

  auto count = [&](const std::string& sql) -> int64_t {
    auto rows = (*db)->Query(sql);
    return rows.ok() && !rows->empty() ? (*rows)[0].Int(0) : -1;
  };
  auto queue_total = [&](const std::string& q) -> int64_t {
    auto a = queues.GetQueueAttributes(q, {"All"});
    if (!a.ok()) return -1;
    return std::stoll((*a)["ApproximateNumberOfMessages"]) +
           std::stoll((*a)["ApproximateNumberOfMessagesNotVisible"]) +
           std::stoll((*a)["ApproximateNumberOfMessagesDelayed"]);
  };
  auto done = [&] {
    return count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processed'") ==
               samples_total &&
           queue_total("ml-worker") == 0;
  };
  // Every second: send the next tenth of the messages, then SIGKILL one worker and start a new
  // one. Sending in ten steps guarantees at least ten kills while messages are in flight,
  // however fast the workers are; after the last step the kills go on until all is done.
  constexpr int kSteps = 10;
  std::mt19937 rng(42);
  int kills = 0;
  size_t next_batch = 0;
  const auto deadline = SteadyClock::now() + seconds(EnvInt("MLW_PG_CRASH_SECONDS", 240));
  for (int step = 0; SteadyClock::now() < deadline; ++step) {
    const size_t until = std::min(batches.size(), batches.size() * (step + 1) / kSteps);
    for (; next_batch < until; ++next_batch) {
      auto sent = queues.SendMessageBatch("ml-worker", batches[next_batch]);
      ASSERT_TRUE(sent.ok() && sent->failed.empty()) << sent.status().ToString();
    }
    if (next_batch == batches.size() && done()) break;
    std::this_thread::sleep_for(seconds(1));  // the kill cadence itself, not a wait for a result
    size_t victim = rng() % workers.size();
    workers[victim]->Kill();
    ++kills;
    workers[victim] = start();
  }
  for (auto& w : workers) w->Kill();

  EXPECT_GE(kills, kSteps);
  EXPECT_EQ(next_batch, batches.size());
  EXPECT_EQ(count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processed'"),
            samples_total);
  EXPECT_EQ(count("SELECT COUNT(*) FROM vitals_raw_data WHERE status = 'processing'"), 0)
      << "rows still leased by a killed worker";
  EXPECT_EQ(count("SELECT COUNT(*) FROM vitals_raw_data WHERE status <> 'processed'"), 0);
  EXPECT_EQ(queue_total("ml-worker"), 0);
  EXPECT_EQ(queue_total("ml-worker-dlq"), 0);
  // Every sample counted exactly once, in every period.
  for (const char* table : {"vitals_hourly_aggregates", "vitals_daily_aggregates",
                            "vitals_weekly_aggregates", "vitals_monthly_aggregates"}) {
    EXPECT_EQ(count(std::string("SELECT CAST(SUM(total) AS BIGINT) FROM ") + table +
                    " WHERE series = 'steps'"),
              samples_total)
        << table;
    EXPECT_EQ(count(std::string("SELECT CAST(SUM(sample_count) AS BIGINT) FROM ") + table +
                    " WHERE series = 'steps'"),
              samples_total)
        << table;
  }
  // How often a trigger met rows still leased by a killed worker and was deferred: informative
  // (it depends on where the kills land), reported rather than asserted.
  int64_t retry_later = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (line.find("\"retry_later\"") != std::string::npos) ++retry_later;
    }
  }
  ::testing::Test::RecordProperty("deferred_retry_later", std::to_string(retry_later));
  std::fprintf(stderr, "kills: %d, triggers deferred for rows leased by killed workers: %lld\n",
               kills, static_cast<long long>(retry_later));
  if (!::testing::Test::HasFailure()) {
    std::filesystem::remove_all(dir);
  } else {
    std::fprintf(stderr, "worker logs kept in %s\n", dir.c_str());
  }
}

}  // namespace
}  // namespace mlw
