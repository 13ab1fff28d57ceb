// SqliteQueueService: the conformance suite on a temporary file, plus what only a file-backed
// backend has: durability across a killed process, wake-ups across processes, reopening, cleanup.
#include "queue/sqlite_queue.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "queue/queue_conformance_test.h"

namespace mlw::queue {
namespace {

namespace fs = std::filesystem;
using testing::QueueBackendParam;
using testing::QueueConformanceTest;
using testing::QueueTestBackend;

// A directory under TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mlw-queue-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class SqliteTestBackend final : public QueueTestBackend {
 public:
  std::unique_ptr<QueueService> Open(const Clock& clock) override {
    Result<std::unique_ptr<SqliteQueueService>> s = SqliteQueueService::Open(Options(), clock);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return nullptr;
    return std::move(s).value();
  }
  SqliteQueueOptions Options() const {
    SqliteQueueOptions o;
    o.path = (dir_.path() / "queue.db").string();
    return o;
  }

 private:
  TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, QueueConformanceTest,
                         ::testing::Values(QueueBackendParam{
                             "sqlite", [] { return std::make_unique<SqliteTestBackend>(); }}),
                         testing::QueueBackendName);

std::unique_ptr<SqliteQueueService> MustOpen(const SqliteQueueOptions& options,
                                             const Clock& clock) {
  Result<std::unique_ptr<SqliteQueueService>> s = SqliteQueueService::Open(options, clock);
  if (!s.ok()) {
    ADD_FAILURE() << s.status().ToString();
    return nullptr;
  }
  return std::move(s).value();
}

// Reads exactly n bytes, or fewer at end of file.
std::string ReadAll(int fd, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, out.data() + got, n - got);
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

TEST(SqliteQueueTest, ReturnedSendSurvivesKillMinus9) {
  SqliteTestBackend backend;
  const SqliteQueueOptions options = backend.Options();
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  // Forked before this process opens anything, so the child inherits no SQLite state or threads.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(report[0]);
    auto service = SqliteQueueService::Open(options, SystemClock::Default());
    if (!service.ok() || !(*service)->CreateQueue("q", {}).ok()) _exit(3);
    Result<SendResult> sent = (*service)->SendMessage("q", {.body = "must survive"});
    if (!sent.ok()) _exit(4);
    // The send returned: report its id, then wait to be killed with no chance to clean up.
    if (write(report[1], sent->message_id.data(), sent->message_id.size()) < 0) _exit(5);
    for (;;) pause();
  }
  close(report[1]);
  std::string message_id = ReadAll(report[0], 36);
  close(report[0]);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_EQ(message_id.size(), 36u) << "child exited with status " << status;
  ASSERT_TRUE(WIFSIGNALED(status));

  auto service = MustOpen(options, SystemClock::Default());
  ASSERT_NE(service, nullptr);
  Result<std::vector<Message>> got = service->ReceiveMessage("q", {.wait_seconds = 0});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->at(0).message_id, message_id);
  EXPECT_EQ(got->at(0).body, "must survive");
}

TEST(SqliteQueueTest, LongPollWakesOnSendFromAnotherProcess) {
  SqliteTestBackend backend;
  const SqliteQueueOptions options = backend.Options();
  {
    auto setup = MustOpen(options, SystemClock::Default());
    ASSERT_NE(setup, nullptr);
    ASSERT_TRUE(setup->CreateQueue("q", {}).ok());
  }  // closed (and its watcher joined) before fork
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(go[1]);
    char c;
    if (read(go[0], &c, 1) != 1) _exit(2);
    auto service = SqliteQueueService::Open(options, SystemClock::Default());
    if (!service.ok()) _exit(3);
    _exit((*service)->SendMessage("q", {.body = "from another process"}).ok() ? 0 : 4);
  }
  close(go[0]);
  auto service = MustOpen(options, SystemClock::Default());
  ASSERT_NE(service, nullptr);
  const auto start = std::chrono::steady_clock::now();
  Result<std::vector<Message>> got = Status(StatusCode::kInternal, "not run");
  std::thread receiver([&] { got = service->ReceiveMessage("q", {.wait_seconds = 20}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the receive park first
  ASSERT_EQ(write(go[1], "g", 1), 1);
  close(go[1]);
  receiver.join();
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->at(0).body, "from another process");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(SqliteQueueTest, QueuesAndMessagesPersistAcrossReopen) {
  SqliteTestBackend backend;
  ManualClock clock;
  std::string id;
  {
    auto service = MustOpen(backend.Options(), clock);
    ASSERT_TRUE(service->CreateQueue("q", {{"VisibilityTimeout", "77"}}).ok());
    Result<SendResult> sent = service->SendMessage("q", {.body = "kept"});
    ASSERT_TRUE(sent.ok());
    id = sent->message_id;
  }
  auto service = MustOpen(backend.Options(), clock);
  Result<QueueAttributes> attrs = service->GetQueueAttributes("q", {"VisibilityTimeout"});
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->at("VisibilityTimeout"), "77");
  Result<std::vector<Message>> got = service->ReceiveMessage("q", {});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->at(0).message_id, id);
}

TEST(SqliteQueueTest, RunCleanupDeletesExpiredMessagesAndDedupRecords) {
  SqliteTestBackend backend;
  ManualClock clock;
  auto service = MustOpen(backend.Options(), clock);
  ASSERT_TRUE(service->CreateQueue("q", {{"MessageRetentionPeriod", "60"}}).ok());
  ASSERT_TRUE(service->SendMessage("q", {.body = "old", .deduplication_id = "d"}).ok());
  clock.AdvanceSeconds(kDeduplicationWindowSeconds);
  ASSERT_TRUE(service->SendMessage("q", {.body = "new"}).ok());
  Result<int64_t> deleted = service->RunCleanup();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 1);
  deleted = service->RunCleanup();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 0);
}

TEST(SqliteQueueTest, OpenRejectsBadOptions) {
  SqliteQueueOptions options;
  EXPECT_FALSE(SqliteQueueService::Open(options, SystemClock::Default()).ok());
  options.path = "/nonexistent-dir-for-mlw-test/sub/queue.db";
  Result<std::unique_ptr<SqliteQueueService>> s =
      SqliteQueueService::Open(options, SystemClock::Default());
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace mlw::queue
