// Drives `mlworker queue …` as a script would: exit codes, --json output, URL from the
// environment. The binary comes from MLW_BINARY; each test works in its own temporary directory.
// Every test runs twice: on the embedded SQLite queue, and through the remote SQS backend against
// `mlworker serve` in another process (SigV4 required; credentials from the environment).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Drain(int fd) {
  std::string data;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) data.append(buf, static_cast<size_t>(n));
  close(fd);
  return data;
}

class QueueCliTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const char* binary = std::getenv("MLW_BINARY");
#ifdef MLW_CLI_BINARY
    if (binary == nullptr) binary = MLW_CLI_BINARY;
#endif
    if (binary == nullptr || !fs::exists(binary))
      GTEST_SKIP() << "the mlworker binary is not built";
    binary_ = binary;
    std::string tmpl = (fs::temp_directory_path() / "mlw-queue-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    url_ = "sqlite://" + (dir_ / "queue.db").string();
    if (GetParam() == "sqs_endpoint") {
      serve_ = std::make_unique<mlw::testing::ChildProcess>(
          std::vector<std::string>{binary_, "serve", "--data-dir", (dir_ / "serve").string(),
                                   "--sqs-listen", "127.0.0.1:0", "--sqs-access-key-id", "AKIDCLI",
                                   "--sqs-secret-access-key", "cli-secret", "--log-level", "warn"},
          std::map<std::string, std::string>{});
      auto port = serve_->WaitForLine(R"(sqs endpoint listening on http://127\.0\.0\.1:(\d+))",
                                      std::chrono::seconds(60));
      ASSERT_TRUE(port) << serve_->output();
      url_ = "http://127.0.0.1:" + *port;
    }
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // Runs `mlworker queue <args>` with the test's queue URL in ML_WORKER_SQS_QUEUE_URL unless
  // `url_env` overrides it. stderr is read after stdout; outputs here are small.
  CliResult Run(std::vector<std::string> args, const std::string& url_env = "") {
    int out_pipe[2], err_pipe[2];
    EXPECT_EQ(pipe(out_pipe), 0);
    EXPECT_EQ(pipe(err_pipe), 0);
    pid_t pid = fork();
    if (pid == 0) {
      dup2(out_pipe[1], 1);
      dup2(err_pipe[1], 2);
      close(out_pipe[0]);
      close(err_pipe[0]);
      if (chdir(dir_.c_str()) != 0) _exit(127);
      setenv("ML_WORKER_SQS_QUEUE_URL", (url_env.empty() ? url_ : url_env).c_str(), 1);
      setenv("AWS_ACCESS_KEY_ID", "AKIDCLI", 1);
      setenv("AWS_SECRET_ACCESS_KEY", "cli-secret", 1);
      setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
      std::vector<char*> argv = {binary_.data(), const_cast<char*>("queue")};
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary_.c_str(), argv.data());
      _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    CliResult r;
    r.out = Drain(out_pipe[0]);
    r.err = Drain(err_pipe[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  }

  json RunJson(std::vector<std::string> args) {
    args.push_back("--json");
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  std::string binary_;
  fs::path dir_;
  std::string url_;
  std::unique_ptr<mlw::testing::ChildProcess> serve_;  // the remote variant's endpoint
};

TEST_P(QueueCliTest, SendReceiveDeleteRoundTrip) {
  EXPECT_EQ(RunJson({"create", "jobs"})["queue"], "jobs");
  json sent = RunJson({"send", "jobs", "--body", R"({"job_type":"x"})", "-a", "user=Number:7"});
  const std::string id = sent["message_id"];
  ASSERT_FALSE(id.empty());
  json got = RunJson({"receive", "jobs", "--max", "10"});
  ASSERT_EQ(got["messages"].size(), 1u);
  EXPECT_EQ(got["messages"][0]["message_id"], id);
  EXPECT_EQ(got["messages"][0]["body"], R"({"job_type":"x"})");
  EXPECT_EQ(got["messages"][0]["attributes"]["user"]["string_value"], "7");
  const std::string handle = got["messages"][0]["receipt_handle"];
  json stats = RunJson({"stats", "jobs"});
  EXPECT_EQ(stats["jobs"]["ApproximateNumberOfMessagesNotVisible"], "1");
  json deleted = RunJson({"delete", "--queue", "jobs", handle});
  EXPECT_EQ(deleted["results"][0]["deleted"], true);
  stats = RunJson({"stats", "jobs"});
  EXPECT_EQ(stats["jobs"]["ApproximateNumberOfMessagesNotVisible"], "0");
  EXPECT_EQ(RunJson({"list"})["queues"], json::array({"jobs"}));
}

TEST_P(QueueCliTest, DeadLetterPeekAndRedrive) {
  RunJson({"create", "jobs", "--dlq", "jobs-dlq", "--max-receive-count", "1", "-a",
           "VisibilityTimeout=0"});
  const std::string id = RunJson({"send", "jobs", "--body", "poison"})["message_id"];
  EXPECT_EQ(RunJson({"receive", "jobs"})["messages"].size(), 1u);
  // Visibility 0: visible again at once; the next receive exceeds maxReceiveCount and moves it.
  EXPECT_EQ(RunJson({"receive", "jobs"})["messages"].size(), 0u);
  for (int peek = 0; peek < 2; ++peek) {  // peeking leaves the message where it is
    json dlq = RunJson({"dlq", "jobs"});
    EXPECT_EQ(dlq["dead_letter_queue"], "jobs-dlq");
    ASSERT_EQ(dlq["messages"].size(), 1u);
    EXPECT_EQ(dlq["messages"][0]["message_id"], id);
  }
  json moved = RunJson({"redrive", "jobs"});
  EXPECT_EQ(moved["moved"], 1);
  json back = RunJson({"receive", "jobs"});
  ASSERT_EQ(back["messages"].size(), 1u);
  EXPECT_EQ(back["messages"][0]["message_id"], id);
  EXPECT_EQ(back["messages"][0]["receive_count"], 1);
}

TEST_P(QueueCliTest, QueueNameFromUrlInEnvironment) {
  RunJson({"create", "ml-worker"});
  const std::string env_url = url_ + "?queue=ml-worker";
  CliResult sent = Run({"send", "--body", "hello"}, env_url);
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  CliResult got = Run({"receive", "--json", "--delete"}, env_url);
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(json::parse(got.out)["messages"][0]["body"], "hello");
}

TEST_P(QueueCliTest, UsageErrorsExitWith2) {
  EXPECT_EQ(Run({"send", "--body", "x"}).exit_code, 2);  // no queue named anywhere
  EXPECT_EQ(Run({"receive", "jobs", "--max", "11"}).exit_code, 2);
  EXPECT_EQ(Run({"create", "bad name"}).exit_code, 2);
  EXPECT_EQ(Run({"bogus"}).exit_code, 2);
  CliResult scheme = Run({"list"}, "ftp://host/x");
  EXPECT_EQ(scheme.exit_code, 2);
  EXPECT_NE(scheme.err.find("sqlite://"), std::string::npos) << scheme.err;
  EXPECT_EQ(Run({"send", "jobs", "-a", "novalue"}).exit_code, 2);
}

TEST_P(QueueCliTest, OperationErrorsExitWith1) {
  CliResult missing = Run({"send", "nope", "--body", "x"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("QueueDoesNotExist"), std::string::npos) << missing.err;
  RunJson({"create", "jobs"});
  EXPECT_EQ(Run({"purge", "jobs"}).exit_code, 0);
  CliResult again = Run({"purge", "jobs"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("PurgeQueueInProgress"), std::string::npos) << again.err;
  EXPECT_EQ(Run({"delete", "--queue", "jobs", "not-a-handle"}).exit_code, 1);
  EXPECT_EQ(Run({"create", "jobs", "-a", "VisibilityTimeout=99999"}).exit_code, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, QueueCliTest, ::testing::Values("sqlite", "sqs_endpoint"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
