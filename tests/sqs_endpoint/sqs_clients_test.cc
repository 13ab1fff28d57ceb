// Drives `mlworker serve` with real SQS clients: Debian's boto3 (query protocol), botocore that
// speaks the JSON protocol (the aws CLI's library, when the Python on PATH has it) and the aws CLI
// itself. The scenarios live in sqs_conformance.py; each client runs them against its own queues.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "test_process.h"

namespace mlw::testing {
namespace {

std::string ScriptPath() {
  const char* src = std::getenv("MLW_SOURCE_DIR");
#ifdef MLW_SQS_TEST_SOURCE_DIR
  if (!src || !*src) src = MLW_SQS_TEST_SOURCE_DIR;
#endif
  return std::string(src ? src : ".") + "/tests/sqs_endpoint/sqs_conformance.py";
}

// True when `python` imports boto3 and its botocore models SQS with `protocol`.
bool PythonSpeaks(const std::string& python, const std::string& protocol) {
  if (!HaveProgram(python)) return false;
  CommandResult r = RunCommand({python, "-c",
                                "import boto3, botocore.session as s; "
                                "print(s.get_session().get_service_model('sqs').protocol)"},
                               std::chrono::seconds(60));
  return r.exit_code == 0 && r.output.find(protocol) != std::string::npos;
}

class SqsClientsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServeProcess();
    std::string error;
    if (!server_->Start(dir_->path(), {}, &error)) start_error_ = new std::string(error);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
    delete start_error_;
    server_ = nullptr;
    dir_ = nullptr;
    start_error_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(start_error_, nullptr) << *start_error_; }

  // Runs the conformance script and fails the test with its output unless every scenario passed.
  void RunScenarios(const std::string& python, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {python, ScriptPath(), "--endpoint", server_->endpoint()};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = RunCommand(argv, std::chrono::seconds(240));
    std::cout << r.output;
    EXPECT_EQ(r.exit_code, 0) << "scenarios failed:\n" << r.output;
    EXPECT_NE(r.output.find(" passed, 0 failed"), std::string::npos);
  }

  static TempDir* dir_;
  static ServeProcess* server_;
  static std::string* start_error_;
};

TempDir* SqsClientsTest::dir_ = nullptr;
ServeProcess* SqsClientsTest::server_ = nullptr;
std::string* SqsClientsTest::start_error_ = nullptr;

TEST_F(SqsClientsTest, Boto3QueryProtocol) {
  if (!PythonSpeaks("/usr/bin/python3", "query")) {
    GTEST_SKIP() << "/usr/bin/python3 has no boto3 speaking the query protocol";
  }
  RunScenarios("/usr/bin/python3", {"--client", "boto3", "--prefix", "query"});
}

TEST_F(SqsClientsTest, BotocoreJsonProtocol) {
  if (!PythonSpeaks("python3", "json")) {
    GTEST_SKIP() << "the python3 on PATH has no botocore speaking the JSON protocol";
  }
  RunScenarios("python3", {"--client", "boto3", "--prefix", "json"});
}

TEST_F(SqsClientsTest, AwsCli) {
  if (!HaveProgram("aws")) GTEST_SKIP() << "no aws CLI on PATH";
  // Every aws call starts a Python process, so the CLI runs the scenarios that matter most for a
  // command-line user; the library scenarios above cover the rest with the same wire protocol.
  RunScenarios("/usr/bin/python3",
               {"--client", "awscli", "--prefix", "cli", "--only",
                "test_send_receive_delete_with_md5s,test_batch_partial_failures,test_error_codes,"
                "test_long_poll_returns_on_send_from_another_client"});
}

TEST(SqsCredentialsTest, OnlyTheConfiguredKeyIsAccepted) {
  TempDir dir;
  ServeProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(
      dir.path(),
      {"--sqs-access-key-id", "AKIDMLWTEST", "--sqs-secret-access-key", "s3cr3t/Key+value"},
      &error))
      << error;
  int clients = 0;
  auto run = [&](const std::string& python, const std::string& client) {
    ++clients;
    CommandResult r =
        RunCommand({python, ScriptPath(), "--endpoint", server.endpoint(), "--client", client,
                    "--auth", "--key-id", "AKIDMLWTEST", "--secret", "s3cr3t/Key+value"},
                   std::chrono::seconds(120));
    EXPECT_EQ(r.exit_code, 0) << client << ":\n" << r.output;
  };
  if (PythonSpeaks("/usr/bin/python3", "query")) run("/usr/bin/python3", "boto3");
  if (PythonSpeaks("python3", "json")) run("python3", "boto3");
  if (HaveProgram("aws")) run("/usr/bin/python3", "awscli");
  if (clients == 0) GTEST_SKIP() << "no SQS client available";
}

}  // namespace
}  // namespace mlw::testing
