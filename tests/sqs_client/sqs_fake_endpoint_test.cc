// The remote SQS backend against a scripted SQS endpoint on loopback: every request's SigV4
// signature is verified with the known secret, and each test scripts the answers it needs
// (throttling, 5xx, dropped connections, tampered digests) to check retries and error handling.
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "fake_http_server.h"
#include "queue/message_md5.h"
#include "queue/queue_factory.h"
#include "queue/sigv4.h"
#include "queue/sqs_queue_service.h"

namespace mlw::queue {
namespace {

using nlohmann::json;
using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::FakeResponse;

const AwsCredentials kCreds{"AKIDTEST", "test-secret", "session-token-1", std::nullopt, "test"};

FakeResponse Json(const json& j) {
  return FakeResponse{200, {{"Content-Type", "application/x-amz-json-1.0"}}, j.dump()};
}
FakeResponse Error(int status, const std::string& type, const std::string& message = "") {
  return FakeResponse{status, {}, json{{"__type", type}, {"message", message}}.dump()};
}

// A scripted SQS endpoint. Requests that are not correctly signed are answered with 403 and never
// reach the script.
class FakeSqs {
 public:
  using Script = std::function<FakeResponse(const json& request, int call)>;

  FakeSqs() : server_([this](const FakeRequest& r) { return Handle(r); }) {}

  void On(const std::string& action, Script script) {
    std::lock_guard<std::mutex> lock(mu_);
    scripts_[action] = std::move(script);
  }
  int Calls(const std::string& action) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[action];
  }
  json LastRequest(const std::string& action) {
    std::lock_guard<std::mutex> lock(mu_);
    return last_[action];
  }
  int signature_failures() {
    std::lock_guard<std::mutex> lock(mu_);
    return signature_failures_;
  }
  bool last_had_session_token() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_had_token_;
  }
  std::string url() const { return server_.url(); }
  const FakeHttpServer& server() const { return server_; }

 private:
  FakeResponse Handle(const FakeRequest& r) {
    sigv4::Request req{r.method, r.Path(), r.Query(), r.headers, r.body};
    sigv4::VerifyOptions verify;
    verify.now_micros = SystemClock::Default().NowMicros();
    verify.expected_service = "sqs";
    auto lookup = [](const std::string& id) -> std::optional<sigv4::Credentials> {
      if (id == kCreds.access_key_id) return kCreds.ForSigning();
      return std::nullopt;
    };
    Result<sigv4::VerifiedIdentity> who = sigv4::Verify(req, lookup, verify);
    std::string target = r.Header("X-Amz-Target");
    std::string action = target.rfind("AmazonSQS.", 0) == 0 ? target.substr(10) : "";
    Script script;
    int call;
    json body = json::parse(r.body, nullptr, false);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!who.ok() || who->region != "us-east-1" || r.method != "POST" || r.Path() != "/" ||
          r.Header("Content-Type") != "application/x-amz-json-1.0") {
        ++signature_failures_;
        return Error(403, "com.amazon.coral.service#SignatureDoesNotMatch",
                     who.ok() ? "bad request shape" : who.status().message());
      }
      last_had_token_ = who->has_session_token;
      call = ++calls_[action];
      last_[action] = body;
      auto it = scripts_.find(action);
      if (it == scripts_.end()) return Error(400, "com.amazonaws.sqs#UnsupportedOperation", action);
      script = it->second;
    }
    return script(body, call);
  }

  std::mutex mu_;
  std::map<std::string, Script> scripts_;
  std::map<std::string, int> calls_;
  std::map<std::string, json> last_;
  int signature_failures_ = 0;
  bool last_had_token_ = false;
  FakeHttpServer server_;
};

class SqsFakeEndpointTest : public ::testing::Test {
 protected:
  std::unique_ptr<QueueService> Open(const std::string& path = "/000000000000/ml-worker",
                                     int attempts = 4) {
    SqsOptions options;
    options.queue_url = sqs_.url() + path;
    options.credentials = std::make_shared<StaticCredentialsProvider>(kCreds);
    options.retry = RetryPolicy{attempts, 10, 1000};
    options.http.timeout_ms = 2000;
    options.move_task_poll_ms = 25;
    options.sleep = [this](int64_t micros) {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(micros);
    };
    Result<std::unique_ptr<QueueService>> service = OpenSqsQueueService(options);
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    return std::move(service).value();
  }
  std::string QueueUrl(const std::string& name) { return sqs_.url() + "/000000000000/" + name; }

  FakeSqs sqs_;
  std::mutex mu_;
  std::vector<int64_t> sleeps_;
};

TEST_F(SqsFakeEndpointTest, RequestsAreSignedJsonWithTargetAndSessionToken) {
  sqs_.On("ListQueues", [&](const json&, int) {
    return Json({{"QueueUrls", {QueueUrl("zeta"), QueueUrl("alpha")}}});
  });
  std::unique_ptr<QueueService> q = Open();
  Result<std::vector<std::string>> names = q->ListQueues("a");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"alpha", "zeta"}));
  EXPECT_EQ(sqs_.signature_failures(), 0);
  EXPECT_TRUE(sqs_.last_had_session_token());
  EXPECT_EQ(sqs_.LastRequest("ListQueues")["QueueNamePrefix"], "a");
}

TEST_F(SqsFakeEndpointTest, WrongSecretIsRejectedByTheEndpoint) {
  sqs_.On("ListQueues", [](const json&, int) { return Json(json::object()); });
  SqsOptions options;
  options.queue_url = sqs_.url();
  AwsCredentials wrong = kCreds;
  wrong.secret_access_key = "not-the-secret";
  options.credentials = std::make_shared<StaticCredentialsProvider>(wrong);
  std::unique_ptr<QueueService> q = std::move(OpenSqsQueueService(options)).value();
  Status s = q->ListQueues("").status();
  EXPECT_EQ(s.reason(), "SignatureDoesNotMatch");
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(sqs_.signature_failures(), 1);  // not retried
}

TEST_F(SqsFakeEndpointTest, ServerErrorsAndThrottlingAreRetriedWithJitteredBackoff) {
  sqs_.On("GetQueueAttributes", [](const json&, int call) {
    if (call <= 2) return Error(500, "com.amazonaws.sqs#InternalError", "oops");
    if (call == 3) return Error(400, "com.amazonaws.sqs#RequestThrottled", "slow down");
    return Json({{"Attributes", {{"ApproximateNumberOfMessages", "4"}}}});
  });
  std::unique_ptr<QueueService> q = Open();
  Result<QueueAttributes> attrs = q->GetQueueAttributes("ml-worker", {"All"});
  ASSERT_TRUE(attrs.ok()) << attrs.status().ToString();
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessages"), "4");
  EXPECT_EQ(sqs_.Calls("GetQueueAttributes"), 4);
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(sleeps_.size(), 3u);
  for (size_t i = 0; i < sleeps_.size(); ++i) {
    EXPECT_GE(sleeps_[i], 0);
    EXPECT_LE(sleeps_[i], (10LL << i) * 1000) << "retry " << i;  // full jitter under the cap
  }
}

TEST_F(SqsFakeEndpointTest, RetriesAreBoundedAndTheLastErrorSurfaces) {
  sqs_.On("PurgeQueue", [](const json&, int) {
    return Error(503, "com.amazonaws.sqs#ServiceUnavailable", "down");
  });
  std::unique_ptr<QueueService> q = Open("/000000000000/ml-worker", /*attempts=*/3);
  Status s = q->PurgeQueue("ml-worker");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.reason(), "ServiceUnavailable");
  EXPECT_NE(s.message().find("3 attempts"), std::string::npos);
  EXPECT_EQ(sqs_.Calls("PurgeQueue"), 3);
}

TEST_F(SqsFakeEndpointTest, DroppedConnectionIsRetried) {
  sqs_.On("PurgeQueue", [](const json&, int call) {
    FakeResponse r = Json(json::object());
    r.close_connection = call == 1;
    return r;
  });
  std::unique_ptr<QueueService> q = Open();
  EXPECT_TRUE(q->PurgeQueue("ml-worker").ok());
  EXPECT_EQ(sqs_.Calls("PurgeQueue"), 2);
}

TEST_F(SqsFakeEndpointTest, ClientErrorsAreNotRetriedAndKeepTheirSqsName) {
  sqs_.On("GetQueueUrl", [&](const json& req, int) {
    if (req["QueueName"] == "missing") {
      return Error(400, "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.");
    }
    return Json({{"QueueUrl", QueueUrl(req["QueueName"])}});
  });
  sqs_.On("PurgeQueue", [](const json&, int) {
    return Error(400, "com.amazonaws.sqs#PurgeQueueInProgress", "only one purge per 60 s");
  });
  std::unique_ptr<QueueService> q = Open();
  Status missing = q->PurgeQueue("missing");
  EXPECT_EQ(missing.reason(), "QueueDoesNotExist");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(sqs_.Calls("GetQueueUrl"), 1);
  Status busy = q->PurgeQueue("other");
  EXPECT_EQ(busy.reason(), "PurgeQueueInProgress");
  EXPECT_EQ(sqs_.Calls("PurgeQueue"), 1);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(SqsFakeEndpointTest, QueueUrlsAreResolvedOnceAndForgottenWhenTheQueueIsGone) {
  sqs_.On("GetQueueUrl", [&](const json& req, int) {
    return Json({{"QueueUrl", QueueUrl(req["QueueName"])}});
  });
  bool gone = false;
  sqs_.On("PurgeQueue", [&](const json& req, int) {
    EXPECT_TRUE(req["QueueUrl"].get<std::string>().find("/000000000000/") != std::string::npos);
    if (gone) return Error(400, "com.amazonaws.sqs#QueueDoesNotExist", "deleted");
    return Json(json::object());
  });
  std::unique_ptr<QueueService> q = Open();
  ASSERT_TRUE(q->PurgeQueue("ml-worker").ok());  // the configured queue needs no lookup
  EXPECT_EQ(sqs_.Calls("GetQueueUrl"), 0);
  ASSERT_TRUE(q->PurgeQueue("other").ok());
  ASSERT_TRUE(q->PurgeQueue("other").ok());
  EXPECT_EQ(sqs_.Calls("GetQueueUrl"), 1);
  gone = true;
  EXPECT_EQ(q->PurgeQueue("other").reason(), "QueueDoesNotExist");
  gone = false;
  ASSERT_TRUE(q->PurgeQueue("other").ok());
  EXPECT_EQ(sqs_.Calls("GetQueueUrl"), 2);  // looked up again after QueueDoesNotExist
}

TEST_F(SqsFakeEndpointTest, SendAndReceiveCarryAttributesAndCheckDigests) {
  sqs_.On("SendMessageBatch", [](const json& req, int) {
    json ok = json::array();
    for (const json& e : req["Entries"]) {
      MessageAttributes attrs;
      json wire_attrs = e.value("MessageAttributes", json::object());
      for (const auto& [name, a] : wire_attrs.items()) {
        attrs[name] = {a["DataType"], a.value("StringValue", ""), ""};
      }
      ok.push_back({{"Id", e["Id"]},
                    {"MessageId", "mid-" + e["Id"].get<std::string>()},
                    {"MD5OfMessageBody", Md5Hex(e["MessageBody"].get<std::string>())},
                    {"MD5OfMessageAttributes", Md5OfAttributes(attrs)}});
    }
    return Json({{"Successful", ok}, {"Failed", json::array()}});
  });
  MessageAttributes attrs;
  attrs["job_type"] = {"String", "process_pending_labs", ""};
  sqs_.On("ReceiveMessage", [&](const json&, int) {
    std::string body = R"({"job_type":"process_pending_labs","user_id":7})";
    return Json({{"Messages",
                  {{{"MessageId", "mid-1"},
                    {"ReceiptHandle", "rh-1"},
                    {"Body", body},
                    {"MD5OfBody", Md5Hex(body)},
                    {"MessageAttributes", {{"job_type", {{"DataType", "String"},
                                                         {"StringValue", "process_pending_labs"}}}}},
                    {"MD5OfMessageAttributes", Md5OfAttributes(attrs)},
                    {"Attributes", {{"ApproximateReceiveCount", "1"},
                                    {"SentTimestamp", "1700000000000"}}}}}}});
  });
  std::unique_ptr<QueueService> q = Open();
  Result<SendResult> sent = q->SendMessage(
      "ml-worker", {"", R"({"job_type":"process_pending_labs","user_id":7})", 3, attrs, "dup-1"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->message_id, "mid-0");
  json wire = sqs_.LastRequest("SendMessageBatch");
  EXPECT_EQ(wire["Entries"][0]["DelaySeconds"], 3);
  EXPECT_EQ(wire["Entries"][0]["MessageAttributes"]["job_type"]["StringValue"],
            "process_pending_labs");
  EXPECT_FALSE(wire["Entries"][0].contains("MessageDeduplicationId"));  // standard queue

  Result<std::vector<Message>> got = q->ReceiveMessage("ml-worker", {10, 1, 45});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].attributes, attrs);
  EXPECT_EQ((*got)[0].receive_count, 1);
  json rreq = sqs_.LastRequest("ReceiveMessage");
  EXPECT_EQ(rreq["MaxNumberOfMessages"], 10);
  EXPECT_EQ(rreq["WaitTimeSeconds"], 1);
  EXPECT_EQ(rreq["VisibilityTimeout"], 45);
  EXPECT_EQ(rreq["MessageAttributeNames"], json::array({"All"}));
  EXPECT_EQ(rreq["MessageSystemAttributeNames"], json::array({"All"}));
}

TEST_F(SqsFakeEndpointTest, DigestMismatchesAreErrors) {
  sqs_.On("SendMessageBatch", [](const json& req, int) {
    return Json({{"Successful",
                  {{{"Id", req["Entries"][0]["Id"]},
                    {"MessageId", "m"},
                    {"MD5OfMessageBody", Md5Hex("something else")}}}}});
  });
  sqs_.On("ReceiveMessage", [](const json&, int) {
    return Json({{"Messages",
                  {{{"MessageId", "m"}, {"ReceiptHandle", "r"}, {"Body", "corrupted"},
                    {"MD5OfBody", Md5Hex("original")}}}}});
  });
  std::unique_ptr<QueueService> q = Open();
  Result<SendResult> sent = q->SendMessage("ml-worker", {"", "original", std::nullopt, {}, ""});
  EXPECT_EQ(sent.status().reason(), "MD5Mismatch");
  Result<std::vector<Message>> got = q->ReceiveMessage("ml-worker", {1, 0, std::nullopt});
  EXPECT_EQ(got.status().reason(), "MD5Mismatch");
  EXPECT_EQ(got.status().code(), StatusCode::kInternal);
}

TEST_F(SqsFakeEndpointTest, LongPollsGetATimeoutBeyondTheirWait) {
  std::mutex mu;
  std::condition_variable never;
  // The endpoint holds the poll for 2.5 s, longer than the client's 2 s default request limit,
  // as SQS does when no message arrives within WaitTimeSeconds.
  sqs_.On("ReceiveMessage", [&](const json& req, int) {
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_EQ(req["WaitTimeSeconds"], 2);
    never.wait_for(lock, std::chrono::milliseconds(2500));
    return Json(json::object());
  });
  std::unique_ptr<QueueService> q = Open("/000000000000/ml-worker", /*attempts=*/1);
  Result<std::vector<Message>> got = q->ReceiveMessage("ml-worker", {1, 2, std::nullopt});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->empty());
}

TEST_F(SqsFakeEndpointTest, HandleBatchesTranslateEntriesAndFailures) {
  sqs_.On("DeleteMessageBatch", [](const json& req, int) {
    return Json({{"Successful", {{{"Id", req["Entries"][0]["Id"]}}}},
                 {"Failed",
                  {{{"Id", req["Entries"][1]["Id"]}, {"Code", "ReceiptHandleIsInvalid"},
                    {"Message", "stale"}, {"SenderFault", true}}}}});
  });
  sqs_.On("ChangeMessageVisibilityBatch", [](const json&, int) {
    return Json({{"Successful", {{{"Id", "v1"}}}}, {"Failed", json::array()}});
  });
  std::unique_ptr<QueueService> q = Open();
  Result<BatchOutcome<std::string>> del =
      q->DeleteMessageBatch("ml-worker", {{"d1", "rh-a", 0}, {"d2", "rh-b", 0}});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->successful, std::vector<std::string>{"d1"});
  ASSERT_EQ(del->failed.size(), 1u);
  EXPECT_EQ(del->failed[0].code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(sqs_.LastRequest("DeleteMessageBatch")["Entries"][1]["ReceiptHandle"], "rh-b");

  ASSERT_TRUE(q->ChangeMessageVisibilityBatch("ml-worker", {{"v1", "rh-a", 120}}).ok());
  EXPECT_EQ(sqs_.LastRequest("ChangeMessageVisibilityBatch")["Entries"][0]["VisibilityTimeout"],
            120);
}

TEST_F(SqsFakeEndpointTest, MessageMoveTaskIsPolledUntilItCompletes) {
  sqs_.On("GetQueueUrl", [&](const json& req, int) {
    return Json({{"QueueUrl", QueueUrl(req["QueueName"])}});
  });
  sqs_.On("GetQueueAttributes", [](const json& req, int) {
    std::string url = req["QueueUrl"];
    return Json({{"Attributes",
                  {{"QueueArn", "arn:aws:sqs:us-east-1:000000000000:" +
                                    url.substr(url.rfind('/') + 1)}}}});
  });
  sqs_.On("StartMessageMoveTask", [](const json&, int) {
    return Json({{"TaskHandle", "task-1"}});
  });
  sqs_.On("ListMessageMoveTasks", [](const json& req, int call) {
    EXPECT_EQ(req["SourceArn"], "arn:aws:sqs:us-east-1:000000000000:ml-worker-dlq");
    if (call < 3) {
      return Json({{"Results", {{{"TaskHandle", "task-1"}, {"Status", "RUNNING"},
                                 {"ApproximateNumberOfMessagesMoved", call}}}}});
    }
    return Json({{"Results", {{{"Status", "COMPLETED"}, {"ApproximateNumberOfMessagesMoved", 5}}}}});
  });
  std::unique_ptr<QueueService> q = Open();
  Result<MoveTaskResult> moved = q->StartMessageMoveTask("ml-worker-dlq", "ml-worker");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->task_handle, "task-1");
  EXPECT_EQ(moved->moved, 5);
  EXPECT_EQ(sqs_.LastRequest("StartMessageMoveTask")["DestinationArn"],
            "arn:aws:sqs:us-east-1:000000000000:ml-worker");
  EXPECT_EQ(sqs_.Calls("ListMessageMoveTasks"), 3);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(sleeps_, (std::vector<int64_t>{25000, 25000}));
}

TEST_F(SqsFakeEndpointTest, ManyCallsShareOneConnection) {
  sqs_.On("PurgeQueue", [](const json&, int) { return Json(json::object()); });
  std::unique_ptr<QueueService> q = Open();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q->PurgeQueue("ml-worker").ok());
  EXPECT_EQ(sqs_.server().connections_accepted(), 1);
}

TEST_F(SqsFakeEndpointTest, AvailabilityListenersRegisterButNeverFire) {
  std::atomic<int> fired{0};
  sqs_.On("SendMessageBatch", [](const json& req, int) {
    return Json({{"Successful", {{{"Id", req["Entries"][0]["Id"]}, {"MessageId", "m"},
                                  {"MD5OfMessageBody", Md5Hex("x")}}}}});
  });
  std::unique_ptr<QueueService> q = Open();
  uint64_t a = q->AddAvailabilityListener([&](const std::string&) { ++fired; });
  uint64_t b = q->AddAvailabilityListener([&](const std::string&) { ++fired; });
  EXPECT_NE(a, b);
  ASSERT_TRUE(q->SendMessage("ml-worker", {"", "x", std::nullopt, {}, ""}).ok());
  q->RemoveAvailabilityListener(a);
  q->RemoveAvailabilityListener(b);
  EXPECT_EQ(fired.load(), 0);
}

TEST_F(SqsFakeEndpointTest, QueueFactoryOpensHttpUrlsWithEnvironmentCredentials) {
  // The factory reads the process environment, as the CLI does; this test process sets the keys
  // the fake endpoint accepts, so the environment provider answers before any metadata endpoint.
  ::setenv("AWS_ACCESS_KEY_ID", kCreds.access_key_id.c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", kCreds.secret_access_key.c_str(), 1);
  ::setenv("AWS_SESSION_TOKEN", kCreds.session_token.c_str(), 1);
  RegisterSqsQueueBackend();
  sqs_.On("PurgeQueue", [](const json&, int) { return Json(json::object()); });
  Result<OpenedQueue> opened = OpenQueueService(sqs_.url() + "/000000000000/ml-worker", {});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->default_queue, "ml-worker");
  ASSERT_TRUE(opened->service->PurgeQueue("ml-worker").ok());
  EXPECT_EQ(sqs_.Calls("PurgeQueue"), 1);
  EXPECT_EQ(sqs_.signature_failures(), 0);

  Result<OpenedQueue> named = OpenQueueService(sqs_.url() + "/000000000000/ml-worker?queue=other", {});
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->default_queue, "other");
  EXPECT_EQ(OpenQueueService(sqs_.url() + "/1/q?sync=full", {}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SqsOpenTest, RegionComesFromHostThenOptionsAndAwsHostsNeedOne) {
  SqsOptions options;
  options.credentials = std::make_shared<StaticCredentialsProvider>(kCreds);
  options.queue_url = "https://sqs.amazonaws.example.invalid/1/q";  // not AWS: default region ok
  EXPECT_TRUE(OpenSqsQueueService(options).ok());
  options.queue_url = "https://sqs.internal.amazonaws.com/1/q";  // AWS host without a region
  Status s = OpenSqsQueueService(options).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("AWS_REGION"), std::string::npos);
  options.region = "eu-central-1";
  EXPECT_TRUE(OpenSqsQueueService(options).ok());
  options.queue_url = "not a url";
  EXPECT_EQ(OpenSqsQueueService(options).status().code(), StatusCode::kInvalidArgument);

  SqsOptions from_env = SqsOptionsFor(
      "http://127.0.0.1:9324/000000000000/ml-worker",
      {{"AWS_DEFAULT_REGION", "ap-south-1"}, {"HOME", "/nonexistent-mlw-home"}});
  EXPECT_EQ(from_env.region, "ap-south-1");
  EXPECT_EQ(SqsQueueNameFromUrl(from_env.queue_url).value(), "ml-worker");
}

}  // namespace
}  // namespace mlw::queue
