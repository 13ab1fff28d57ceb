// SQS semantics every QueueService backend must have. Time-dependent behaviour runs on a
// ManualClock; long polls use real time and are asserted by outcome, never by speed.
#include "queue/queue_conformance_test.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "queue/message_md5.h"

namespace mlw::queue::testing {
namespace {

using std::chrono::steady_clock;

std::string Repeat(char c, size_t n) { return std::string(n, c); }

// Gives a waiting receive time to park before the event that must wake it. Not a wait for a
// result: the tests pass either way, but only exercise waking when the receive is parked.
void LetReceiverPark() { std::this_thread::sleep_for(std::chrono::milliseconds(300)); }

}  // namespace

void QueueConformanceTest::SetUp() {
  backend_ = GetParam().make();
  if (!backend_) GTEST_SKIP() << GetParam().name << " backend is not available here";
  service_ = backend_->Open(clock_);
  ASSERT_NE(service_, nullptr);
}

void QueueConformanceTest::MakeQueue(const std::string& name, const QueueAttributes& attributes) {
  Status s = service_->CreateQueue(name, attributes);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

std::string QueueConformanceTest::Send(const std::string& queue, const std::string& body,
                                       SendEntry entry) {
  entry.body = body;
  Result<SendResult> r = service_->SendMessage(queue, entry);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->message_id : "";
}

std::vector<Message> QueueConformanceTest::Receive(const std::string& queue, int max,
                                                   int visibility) {
  ReceiveOptions options;
  options.max_messages = max;
  options.wait_seconds = 0;
  if (visibility >= 0) options.visibility_timeout = visibility;
  Result<std::vector<Message>> r = service_->ReceiveMessage(queue, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<Message>{};
}

int64_t QueueConformanceTest::Attribute(const std::string& queue, const std::string& name) {
  Result<QueueAttributes> r = service_->GetQueueAttributes(queue, {name});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok() || !r->count(name)) return -1;
  return std::stoll(r->at(name));
}

TEST_P(QueueConformanceTest, CreateQueueIsIdempotentForEqualAttributes) {
  MakeQueue("jobs", {{"VisibilityTimeout", "60"}});
  EXPECT_TRUE(service_->CreateQueue("jobs", {{"VisibilityTimeout", "60"}}).ok());
  EXPECT_TRUE(service_->CreateQueue("jobs", {}).ok());  // attributes not given are not compared
  Status conflict = service_->CreateQueue("jobs", {{"VisibilityTimeout", "61"}});
  EXPECT_EQ(conflict.reason(), "QueueAlreadyExists");
  EXPECT_EQ(conflict.code(), StatusCode::kAlreadyExists);
}

TEST_P(QueueConformanceTest, QueueNamesAreValidated) {
  EXPECT_TRUE(service_->CreateQueue(Repeat('a', 80), {}).ok());
  EXPECT_TRUE(service_->CreateQueue("A-b_9", {}).ok());
  for (const std::string& bad : {std::string(), Repeat('a', 81), std::string("has space"),
                                std::string("dot.name"), std::string("slash/")}) {
    EXPECT_EQ(service_->CreateQueue(bad, {}).reason(), "InvalidParameterValue") << bad;
  }
}

TEST_P(QueueConformanceTest, ListAndDeleteQueues) {
  MakeQueue("alpha-1");
  MakeQueue("alpha-2");
  MakeQueue("beta");
  Result<std::vector<std::string>> all = service_->ListQueues("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::vector<std::string>{"alpha-1", "alpha-2", "beta"}));
  Result<std::vector<std::string>> alpha = service_->ListQueues("alpha");
  ASSERT_TRUE(alpha.ok());
  EXPECT_EQ(*alpha, (std::vector<std::string>{"alpha-1", "alpha-2"}));

  Send("beta", "x");
  ASSERT_TRUE(service_->DeleteQueue("beta").ok());
  EXPECT_EQ(service_->DeleteQueue("beta").reason(), "QueueDoesNotExist");
  EXPECT_EQ(service_->SendMessage("beta", SendEntry{.body = "x"}).status().reason(),
            "QueueDoesNotExist");
  EXPECT_EQ(service_->ReceiveMessage("beta", {}).status().reason(), "QueueDoesNotExist");
  EXPECT_EQ(service_->GetQueueAttributes("beta", {"All"}).status().reason(), "QueueDoesNotExist");
  // A queue recreated under the same name starts empty.
  MakeQueue("beta");
  EXPECT_TRUE(Receive("beta").empty());
}

TEST_P(QueueConformanceTest, SendReceiveDeleteRoundTrip) {
  MakeQueue("q");
  SendEntry entry;
  entry.attributes["kind"] = {"String", "vitals", ""};
  entry.attributes["user"] = {"Number", "123", ""};
  entry.attributes["blob"] = {"Binary.raw", "", std::string("\x00\x01\xff", 3)};
  const std::string body = R"({"job_type":"process_pending_vitals","user_id":123})";
  SendEntry copy = entry;
  copy.body = body;
  Result<SendResult> sent = service_->SendMessage("q", copy);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_EQ(sent->md5_of_body, Md5Hex(body));
  EXPECT_EQ(sent->md5_of_attributes, Md5OfAttributes(entry.attributes));
  EXPECT_FALSE(sent->message_id.empty());

  std::vector<Message> got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  const Message& m = got[0];
  EXPECT_EQ(m.message_id, sent->message_id);
  EXPECT_EQ(m.body, body);
  EXPECT_EQ(m.md5_of_body, sent->md5_of_body);
  EXPECT_EQ(m.attributes, entry.attributes);
  EXPECT_EQ(m.md5_of_attributes, sent->md5_of_attributes);
  EXPECT_EQ(m.receive_count, 1);
  EXPECT_EQ(m.sent_timestamp_ms, clock_.NowMillis());
  EXPECT_EQ(m.first_receive_timestamp_ms, clock_.NowMillis());
  EXPECT_FALSE(m.receipt_handle.empty());
  EXPECT_TRUE(Receive("q").empty());  // invisible while in flight
  ASSERT_TRUE(service_->DeleteMessage("q", m.receipt_handle).ok());
  clock_.AdvanceSeconds(kDefaultVisibilityTimeoutSeconds + 1);
  EXPECT_TRUE(Receive("q").empty());  // deleted for good
}

TEST_P(QueueConformanceTest, VisibilityExpiryRedeliversWithIncreasingReceiveCount) {
  MakeQueue("q", {{"VisibilityTimeout", "10"}});
  const int64_t sent_ms = clock_.NowMillis();
  std::string id = Send("q", "work");
  std::string previous_handle;
  int64_t first_receive_ms = 0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    std::vector<Message> got = Receive("q");
    ASSERT_EQ(got.size(), 1u) << "attempt " << attempt;
    EXPECT_EQ(got[0].message_id, id);
    EXPECT_EQ(got[0].receive_count, attempt);
    EXPECT_EQ(got[0].sent_timestamp_ms, sent_ms);
    if (attempt == 1) first_receive_ms = got[0].first_receive_timestamp_ms;
    EXPECT_EQ(got[0].first_receive_timestamp_ms, first_receive_ms);  // the first, not the latest
    EXPECT_NE(got[0].receipt_handle, previous_handle);
    previous_handle = got[0].receipt_handle;
    clock_.AdvanceSeconds(9);
    EXPECT_TRUE(Receive("q").empty()) << "visible before its timeout, attempt " << attempt;
    clock_.AdvanceSeconds(1);
  }
}

TEST_P(QueueConformanceTest, PerReceiveVisibilityOverride) {
  MakeQueue("q", {{"VisibilityTimeout", "100"}});
  Send("q", "a");
  ASSERT_EQ(Receive("q", 1, /*visibility=*/5).size(), 1u);
  clock_.AdvanceSeconds(5);
  std::vector<Message> again = Receive("q", 1, /*visibility=*/0);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
  EXPECT_EQ(Receive("q").size(), 1u);  // visibility 0: immediately visible again
}

TEST_P(QueueConformanceTest, OnlyTheLatestReceiptHandleIsValid) {
  MakeQueue("q", {{"VisibilityTimeout", "10"}});
  Send("q", "a");
  std::string old_handle = Receive("q").at(0).receipt_handle;
  clock_.AdvanceSeconds(11);
  std::string new_handle = Receive("q").at(0).receipt_handle;
  EXPECT_EQ(service_->DeleteMessage("q", old_handle).reason(), "ReceiptHandleIsInvalid");
  EXPECT_EQ(service_->ChangeMessageVisibility("q", old_handle, 0).reason(),
            "ReceiptHandleIsInvalid");
  EXPECT_EQ(service_->DeleteMessage("q", "garbage").reason(), "ReceiptHandleIsInvalid");
  EXPECT_EQ(service_->DeleteMessage("q", "").reason(), "ReceiptHandleIsInvalid");
  ASSERT_TRUE(service_->DeleteMessage("q", new_handle).ok());
}

TEST_P(QueueConformanceTest, ReceiptHandleOfAnotherQueueIsInvalid) {
  MakeQueue("a");
  MakeQueue("b");
  Send("a", "x");
  std::string handle = Receive("a").at(0).receipt_handle;
  EXPECT_EQ(service_->DeleteMessage("b", handle).reason(), "ReceiptHandleIsInvalid");
  EXPECT_TRUE(service_->DeleteMessage("a", handle).ok());
}

TEST_P(QueueConformanceTest, ChangeMessageVisibility) {
  MakeQueue("q", {{"VisibilityTimeout", "30"}});
  Send("q", "a");
  std::string handle = Receive("q").at(0).receipt_handle;
  ASSERT_TRUE(service_->ChangeMessageVisibility("q", handle, 120).ok());
  clock_.AdvanceSeconds(100);
  EXPECT_TRUE(Receive("q").empty());  // extended past the original 30 s
  ASSERT_TRUE(service_->ChangeMessageVisibility("q", handle, 0).ok());
  std::vector<Message> got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].receive_count, 2);
  EXPECT_EQ(service_->ChangeMessageVisibility("q", got[0].receipt_handle, 43201).reason(),
            "InvalidParameterValue");
  EXPECT_EQ(service_->ChangeMessageVisibility("q", got[0].receipt_handle, -1).reason(),
            "InvalidParameterValue");
}

TEST_P(QueueConformanceTest, DeadLetterAfterMaxReceiveCountKeepsMessage) {
  MakeQueue("dlq");
  MakeQueue("q", {{"VisibilityTimeout", "5"},
                  {"RedrivePolicy",
                   R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq",)"
                   R"("maxReceiveCount":"2"})"}});
  const int64_t sent_ms = clock_.NowMillis();
  SendEntry entry;
  entry.attributes["trace"] = {"String", "t-1", ""};
  std::string id = Send("q", "poison", entry);
  clock_.AdvanceSeconds(3);
  for (int i = 1; i <= 2; ++i) {
    std::vector<Message> got = Receive("q");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].receive_count, i);
    clock_.AdvanceSeconds(6);
  }
  // The third receive would exceed maxReceiveCount: the message moves instead.
  EXPECT_TRUE(Receive("q").empty());
  std::vector<Message> dead = Receive("dlq", 10, 0);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].body, "poison");
  EXPECT_EQ(dead[0].attributes, entry.attributes);
  EXPECT_EQ(dead[0].sent_timestamp_ms, sent_ms);

  Result<std::vector<std::string>> sources = service_->ListDeadLetterSourceQueues("dlq");
  ASSERT_TRUE(sources.ok());
  EXPECT_EQ(*sources, std::vector<std::string>{"q"});

  // Redrive back to the source queue, with a fresh receive count.
  Result<MoveTaskResult> moved = service_->StartMessageMoveTask("dlq", "");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->moved, 1);
  EXPECT_FALSE(moved->task_handle.empty());
  EXPECT_TRUE(Receive("dlq").empty());
  std::vector<Message> back = Receive("q");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].message_id, id);
  EXPECT_EQ(back[0].receive_count, 1);
  EXPECT_EQ(back[0].sent_timestamp_ms, sent_ms);
}

TEST_P(QueueConformanceTest, MessageMoveTaskToExplicitDestination) {
  MakeQueue("dlq");
  MakeQueue("src", {{"VisibilityTimeout", "1"},
                    {"RedrivePolicy",
                     R"({"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:dlq",)"
                     R"("maxReceiveCount":1})"}});
  MakeQueue("other");
  for (int i = 0; i < 3; ++i) Send("src", "m" + std::to_string(i));
  EXPECT_EQ(Receive("src").size(), 3u);
  clock_.AdvanceSeconds(2);
  EXPECT_TRUE(Receive("src").empty());
  EXPECT_EQ(Attribute("dlq", "ApproximateNumberOfMessages"), 3);
  Result<MoveTaskResult> moved = service_->StartMessageMoveTask("dlq", "other");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->moved, 3);
  EXPECT_EQ(Receive("other").size(), 3u);
  EXPECT_EQ(service_->StartMessageMoveTask("dlq", "missing").status().reason(),
            "ResourceNotFoundException");
  EXPECT_EQ(service_->StartMessageMoveTask("missing", "").status().reason(),
            "ResourceNotFoundException");
}

TEST_P(QueueConformanceTest, DelaySecondsPerMessageAndPerQueue) {
  MakeQueue("q", {{"VisibilityTimeout", "600"}});
  MakeQueue("slow", {{"DelaySeconds", "60"}, {"VisibilityTimeout", "600"}});
  SendEntry delayed;
  delayed.delay_seconds = 30;
  Send("q", "later", delayed);
  Send("q", "now");
  Send("slow", "queue-delay");
  SendEntry override_zero;
  override_zero.delay_seconds = 0;
  Send("slow", "no-delay", override_zero);

  std::vector<Message> got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "now");
  EXPECT_EQ(Attribute("q", "ApproximateNumberOfMessagesDelayed"), 1);
  got = Receive("slow");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "no-delay");

  clock_.AdvanceSeconds(30);
  got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "later");
  EXPECT_TRUE(Receive("slow").empty());
  clock_.AdvanceSeconds(30);
  got = Receive("slow");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "queue-delay");

  SendEntry too_long;
  too_long.body = "x";
  too_long.delay_seconds = 901;
  EXPECT_EQ(service_->SendMessage("q", too_long).status().reason(), "InvalidParameterValue");
}

TEST_P(QueueConformanceTest, ApproximateCountersAndAge) {
  MakeQueue("q");
  EXPECT_EQ(Attribute("q", "ApproximateNumberOfMessages"), 0);
  EXPECT_EQ(Attribute("q", "ApproximateAgeOfOldestMessage"), 0);
  for (int i = 0; i < 4; ++i) Send("q", "m");
  SendEntry delayed;
  delayed.delay_seconds = 100;
  Send("q", "d", delayed);
  clock_.AdvanceSeconds(7);
  ASSERT_EQ(Receive("q", 1).size(), 1u);
  Result<QueueAttributes> attrs = service_->GetQueueAttributes("q", {"All"});
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessages"), "3");
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(attrs->at("ApproximateNumberOfMessagesDelayed"), "1");
  EXPECT_EQ(attrs->at("ApproximateAgeOfOldestMessage"), "7");
  EXPECT_EQ(attrs->at("VisibilityTimeout"), "30");
  EXPECT_EQ(attrs->at("MaximumMessageSize"), "262144");
  EXPECT_EQ(attrs->at("MessageRetentionPeriod"), "345600");
  EXPECT_EQ(attrs->at("DelaySeconds"), "0");
  EXPECT_EQ(attrs->at("ReceiveMessageWaitTimeSeconds"), "0");
  EXPECT_EQ(attrs->at("QueueArn").rfind("arn:aws:sqs:", 0), 0u);
  EXPECT_EQ(attrs->at("QueueArn").substr(attrs->at("QueueArn").size() - 15), ":000000000000:q");
  EXPECT_EQ(attrs->count("RedrivePolicy"), 0u);
  EXPECT_EQ(std::stoll(attrs->at("CreatedTimestamp")), clock_.NowSeconds() - 7);
  EXPECT_EQ(std::stoll(attrs->at("LastModifiedTimestamp")), clock_.NowSeconds() - 7);

  Result<QueueAttributes> one = service_->GetQueueAttributes("q", {"DelaySeconds"});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  EXPECT_EQ(service_->GetQueueAttributes("q", {"Bogus"}).status().reason(),
            "InvalidAttributeName");
}

TEST_P(QueueConformanceTest, RetentionExpiresMessages) {
  MakeQueue("q", {{"MessageRetentionPeriod", "60"}});
  Send("q", "old");
  clock_.AdvanceSeconds(30);
  Send("q", "young");
  clock_.AdvanceSeconds(30);  // "old" is now 60 s old: expired
  EXPECT_EQ(Attribute("q", "ApproximateNumberOfMessages"), 1);
  std::vector<Message> got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "young");
  clock_.AdvanceSeconds(31);
  EXPECT_TRUE(Receive("q").empty());
  EXPECT_EQ(Attribute("q", "ApproximateNumberOfMessagesNotVisible"), 0);
}

TEST_P(QueueConformanceTest, PurgeQueueAndPurgeInProgress) {
  MakeQueue("q");
  for (int i = 0; i < 5; ++i) Send("q", "m");
  ASSERT_TRUE(service_->PurgeQueue("q").ok());
  EXPECT_TRUE(Receive("q").empty());
  EXPECT_EQ(Attribute("q", "ApproximateNumberOfMessages"), 0);
  EXPECT_EQ(service_->PurgeQueue("q").reason(), "PurgeQueueInProgress");
  clock_.AdvanceSeconds(60);
  Send("q", "after");
  EXPECT_TRUE(service_->PurgeQueue("q").ok());
  EXPECT_EQ(service_->PurgeQueue("missing").reason(), "QueueDoesNotExist");
}

TEST_P(QueueConformanceTest, DeduplicationWindow) {
  MakeQueue("q");
  SendEntry entry;
  entry.deduplication_id = "upload-42";
  std::string first = Send("q", "a", entry);
  clock_.AdvanceSeconds(kDeduplicationWindowSeconds - 1);
  EXPECT_EQ(Send("q", "a", entry), first);  // accepted, same id, not enqueued again
  EXPECT_EQ(Attribute("q", "ApproximateNumberOfMessages"), 1);
  clock_.AdvanceSeconds(1);
  std::string third = Send("q", "a", entry);
  EXPECT_NE(third, first);
  EXPECT_EQ(Attribute("q", "ApproximateNumberOfMessages"), 2);
  entry.deduplication_id = std::string("has space");
  entry.body = "x";
  EXPECT_EQ(service_->SendMessage("q", entry).status().reason(), "InvalidParameterValue");
}

TEST_P(QueueConformanceTest, BatchRequestErrors) {
  MakeQueue("q", {{"MaximumMessageSize", "1024"}});
  auto send = [&](std::vector<SendEntry> entries) {
    return service_->SendMessageBatch("q", entries).status().reason();
  };
  EXPECT_EQ(send({}), "EmptyBatchRequest");
  std::vector<SendEntry> eleven(11);
  for (int i = 0; i < 11; ++i) eleven[i] = {.id = "e" + std::to_string(i), .body = "x"};
  EXPECT_EQ(send(eleven), "TooManyEntriesInBatchRequest");
  EXPECT_EQ(send({{.id = "a", .body = "x"}, {.id = "a", .body = "y"}}), "BatchEntryIdsNotDistinct");
  EXPECT_EQ(send({{.id = "bad id", .body = "x"}}), "InvalidBatchEntryId");
  EXPECT_EQ(send({{.id = Repeat('i', 81), .body = "x"}}), "InvalidBatchEntryId");
  EXPECT_EQ(send({{.id = "", .body = "x"}}), "InvalidBatchEntryId");
  EXPECT_EQ(send({{.id = "a", .body = Repeat('x', 600)}, {.id = "b", .body = Repeat('y', 600)}}),
            "BatchRequestTooLong");
  EXPECT_EQ(Attribute("q", "ApproximateNumberOfMessages"), 0);

  EXPECT_EQ(service_->DeleteMessageBatch("q", {}).status().reason(), "EmptyBatchRequest");
  EXPECT_EQ(service_->ChangeMessageVisibilityBatch("q", {{"x", "h", 1}, {"x", "h", 1}})
                .status()
                .reason(),
            "BatchEntryIdsNotDistinct");
}

TEST_P(QueueConformanceTest, BatchEntriesFailIndividually) {
  MakeQueue("q", {{"MaximumMessageSize", "1024"}});
  std::vector<SendEntry> entries = {
      {.id = "ok1", .body = "fine"},
      {.id = "empty", .body = ""},
      {.id = "ctrl", .body = std::string("bell\x07")},
      {.id = "ok2", .body = "also \xF0\x9F\x98\x80 fine"},  // U+1F600 is allowed
  };
  Result<BatchOutcome<SendResult>> out = service_->SendMessageBatch("q", entries);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->successful.size(), 2u);
  EXPECT_EQ(out->successful[0].id, "ok1");
  EXPECT_EQ(out->successful[1].id, "ok2");
  std::map<std::string, std::string> codes;
  for (const BatchError& e : out->failed) {
    codes[e.id] = e.code;
    EXPECT_TRUE(e.sender_fault);
  }
  EXPECT_EQ(codes["empty"], "MissingParameter");
  EXPECT_EQ(codes["ctrl"], "InvalidMessageContents");
  EXPECT_EQ(Receive("q").size(), 2u);
  EXPECT_EQ(service_->SendMessage("q", {.body = Repeat('x', 1025)}).status().reason(),
            "InvalidParameterValue");
  SendEntry with_attribute{.body = Repeat('x', 1020)};
  with_attribute.attributes["n"] = {"String", "xxxx", ""};  // 1020 + 1 + 6 + 4 bytes > 1024
  EXPECT_EQ(service_->SendMessage("q", with_attribute).status().reason(), "InvalidParameterValue");
  EXPECT_TRUE(service_->SendMessage("q", {.body = Repeat('x', 1024)}).ok());

  // Batch delete: one good handle, one malformed.
  clock_.AdvanceSeconds(31);
  std::vector<Message> got = Receive("q");
  ASSERT_EQ(got.size(), 3u);
  Result<BatchOutcome<std::string>> del = service_->DeleteMessageBatch(
      "q", {{"good", got[0].receipt_handle, 0}, {"bad", "nope", 0}});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->successful, std::vector<std::string>{"good"});
  ASSERT_EQ(del->failed.size(), 1u);
  EXPECT_EQ(del->failed[0].code, "ReceiptHandleIsInvalid");
}

TEST_P(QueueConformanceTest, BodyCharactersFollowXmlRules) {
  MakeQueue("q");
  for (const std::string& ok : {std::string("tab\tnl\ncr\r"), std::string("\xED\x9F\xBF"),
                               std::string("\xEE\x80\x80"), std::string("\xEF\xBF\xBD"),
                               std::string("\xF4\x8F\xBF\xBF")}) {
    EXPECT_TRUE(service_->SendMessage("q", {.body = ok}).ok()) << ok;
  }
  for (const std::string& bad :
       {std::string("nul\0", 4), std::string("\xEF\xBF\xBE"), std::string("\xED\xA0\x80"),
        std::string("\xC0\xAF"), std::string("\xFF"), std::string("trunc\xE2\x82")}) {
    EXPECT_EQ(service_->SendMessage("q", {.body = bad}).status().reason(), "InvalidMessageContents")
        << "byte length " << bad.size();
  }
}

TEST_P(QueueConformanceTest, MessageAttributesAreValidated) {
  MakeQueue("q");
  auto send_with = [&](MessageAttributes attrs) {
    return service_->SendMessage("q", {.body = "b", .attributes = std::move(attrs)})
        .status()
        .reason();
  };
  EXPECT_EQ(send_with({{"a.b-c_d", {"Number.float", "-1.5e3", ""}}}), "");
  EXPECT_EQ(send_with({{"AWS.trace", {"String", "x", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{"amazon.x", {"String", "x", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{".lead", {"String", "x", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{"trail.", {"String", "x", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{"a..b", {"String", "x", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{"sp ace", {"String", "x", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{Repeat('n', 257), {"String", "x", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{"n", {"Text", "x", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{"n", {"Number", "12abc", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{"n", {"String", "", ""}}}), "InvalidParameterValue");
  EXPECT_EQ(send_with({{"n", {"Binary", "", ""}}}), "InvalidParameterValue");
  MessageAttributes eleven;
  for (int i = 0; i < 11; ++i) eleven["a" + std::to_string(i)] = {"String", "v", ""};
  EXPECT_EQ(send_with(eleven), "InvalidParameterValue");
  eleven.erase("a10");
  EXPECT_EQ(send_with(eleven), "");
}

TEST_P(QueueConformanceTest, QueueAttributesAreValidated) {
  MakeQueue("q");
  auto set = [&](const std::string& name, const std::string& value) {
    return service_->SetQueueAttributes("q", {{name, value}}).reason();
  };
  EXPECT_EQ(set("VisibilityTimeout", "43200"), "");
  EXPECT_EQ(set("VisibilityTimeout", "43201"), "InvalidAttributeValue");
  EXPECT_EQ(set("VisibilityTimeout", "ten"), "InvalidAttributeValue");
  EXPECT_EQ(set("DelaySeconds", "901"), "InvalidAttributeValue");
  EXPECT_EQ(set("MaximumMessageSize", "1023"), "InvalidAttributeValue");
  EXPECT_EQ(set("MaximumMessageSize", "1048577"), "InvalidAttributeValue");
  EXPECT_EQ(set("MessageRetentionPeriod", "59"), "InvalidAttributeValue");
  EXPECT_EQ(set("MessageRetentionPeriod", "1209601"), "InvalidAttributeValue");
  EXPECT_EQ(set("ReceiveMessageWaitTimeSeconds", "21"), "InvalidAttributeValue");
  EXPECT_EQ(set("RedrivePolicy", "{not json"), "InvalidAttributeValue");
  EXPECT_EQ(set("RedrivePolicy",
                R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope",)"
                R"("maxReceiveCount":3})"),
            "InvalidAttributeValue");  // target does not exist
  EXPECT_EQ(set("ApproximateNumberOfMessages", "1"), "InvalidAttributeName");
  EXPECT_EQ(set("Bogus", "1"), "InvalidAttributeName");
  Status named = service_->SetQueueAttributes("q", {{"DelaySeconds", "-1"}});
  EXPECT_NE(named.message().find("DelaySeconds"), std::string::npos) << named.message();

  MakeQueue("dlq");
  const std::string policy =
      R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"4"})";
  EXPECT_EQ(set("RedrivePolicy", policy), "");
  EXPECT_EQ(set("RedrivePolicy",
                R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq",)"
                R"("maxReceiveCount":0})"),
            "InvalidAttributeValue");
  Result<QueueAttributes> attrs =
      service_->GetQueueAttributes("q", {"RedrivePolicy", "VisibilityTimeout"});
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->at("VisibilityTimeout"), "43200");
  EXPECT_NE(attrs->at("RedrivePolicy").find("\"maxReceiveCount\":4"), std::string::npos)
      << attrs->at("RedrivePolicy");
  EXPECT_EQ(set("RedrivePolicy", ""), "");  // removes the policy
  attrs = service_->GetQueueAttributes("q", {"All"});
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->count("RedrivePolicy"), 0u);
}

TEST_P(QueueConformanceTest, ReceiveOptionsAreValidated) {
  MakeQueue("q");
  EXPECT_EQ(service_->ReceiveMessage("q", {.max_messages = 0}).status().reason(),
            "InvalidParameterValue");
  EXPECT_EQ(service_->ReceiveMessage("q", {.max_messages = 11}).status().reason(),
            "InvalidParameterValue");
  EXPECT_EQ(service_->ReceiveMessage("q", {.wait_seconds = 21}).status().reason(),
            "InvalidParameterValue");
  EXPECT_EQ(service_->ReceiveMessage("q", {.visibility_timeout = 43201}).status().reason(),
            "InvalidParameterValue");
}

TEST_P(QueueConformanceTest, ReceiveReturnsAtMostMaxMessages) {
  MakeQueue("q");
  std::vector<SendEntry> batch;
  for (int i = 0; i < 10; ++i) batch.push_back({.id = "e" + std::to_string(i), .body = "m"});
  ASSERT_TRUE(service_->SendMessageBatch("q", batch).ok());
  ASSERT_TRUE(service_->SendMessageBatch("q", batch).ok());
  EXPECT_EQ(Receive("q", 3).size(), 3u);
  EXPECT_EQ(Receive("q", 10).size(), 10u);
  EXPECT_EQ(Receive("q", 10).size(), 7u);
}

TEST_P(QueueConformanceTest, LongPollWakesOnSendFromAnotherThread) {
  MakeQueue("q");
  const auto start = steady_clock::now();
  Result<std::vector<Message>> got = Status(StatusCode::kInternal, "not run");
  std::thread receiver([&] { got = service_->ReceiveMessage("q", {.wait_seconds = 20}); });
  LetReceiverPark();
  std::string id = Send("q", "wake up");
  receiver.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->at(0).message_id, id);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(20));  // not by running out the wait
}

TEST_P(QueueConformanceTest, LongPollWakesOnSendThroughAnotherService) {
  MakeQueue("q");
  std::unique_ptr<QueueService> other = backend_->Open(clock_);
  ASSERT_NE(other, nullptr);
  const auto start = steady_clock::now();
  Result<std::vector<Message>> got = Status(StatusCode::kInternal, "not run");
  std::thread receiver([&] { got = service_->ReceiveMessage("q", {.wait_seconds = 20}); });
  LetReceiverPark();
  Result<SendResult> sent = other->SendMessage("q", {.body = "from elsewhere"});
  ASSERT_TRUE(sent.ok());
  receiver.join();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->at(0).message_id, sent->message_id);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_P(QueueConformanceTest, LongPollReturnsEmptyAfterItsWait) {
  MakeQueue("q");
  const auto start = steady_clock::now();
  Result<std::vector<Message>> got = service_->ReceiveMessage("q", {.wait_seconds = 1});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_GE(steady_clock::now() - start, std::chrono::milliseconds(990));
}

TEST_P(QueueConformanceTest, QueueWaitTimeAttributeIsTheDefaultWait) {
  MakeQueue("q", {{"ReceiveMessageWaitTimeSeconds", "20"}});
  Result<std::vector<Message>> got = Status(StatusCode::kInternal, "not run");
  std::thread receiver([&] { got = service_->ReceiveMessage("q", {}); });
  LetReceiverPark();
  Send("q", "x");
  receiver.join();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 1u);  // it was still waiting 300 ms later
}

TEST_P(QueueConformanceTest, ConcurrentReceiversNeverShareAMessage) {
  MakeQueue("q", {{"VisibilityTimeout", "600"}});
  constexpr int kMessages = 300;
  constexpr int kThreads = 4;
  for (int i = 0; i < kMessages; i += 10) {
    std::vector<SendEntry> batch;
    for (int j = 0; j < 10; ++j) {
      batch.push_back({.id = "e" + std::to_string(j), .body = std::to_string(i + j)});
    }
    ASSERT_TRUE(service_->SendMessageBatch("q", batch).ok());
  }
  std::mutex mu;
  std::vector<std::string> received;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      // The clock never moves, so nothing becomes visible again: one empty receive means done.
      for (int rounds = 0; rounds < kMessages; ++rounds) {
        Result<std::vector<Message>> got =
            service_->ReceiveMessage("q", {.max_messages = 10, .wait_seconds = 0});
        if (!got.ok()) {
          failed = true;
          return;
        }
        if (got->empty()) return;
        std::lock_guard<std::mutex> lock(mu);
        for (const Message& m : *got) received.push_back(m.message_id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_FALSE(failed);
  std::set<std::string> unique(received.begin(), received.end());
  EXPECT_EQ(received.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(unique.size(), static_cast<size_t>(kMessages));
}

TEST_P(QueueConformanceTest, AvailabilityListenersHearSendsHereAndElsewhere) {
  MakeQueue("q");
  MakeQueue("other");
  std::mutex mu;
  std::condition_variable cv;
  std::multiset<std::string> heard;
  uint64_t id = service_->AddAvailabilityListener([&](const std::string& queue) {
    std::lock_guard<std::mutex> lock(mu);
    heard.insert(queue);
    cv.notify_all();
  });
  auto wait_for = [&](const std::string& queue) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return heard.count(queue) > 0; });
  };
  Send("q", "x");
  EXPECT_TRUE(wait_for("q"));
  std::unique_ptr<QueueService> elsewhere = backend_->Open(clock_);
  ASSERT_TRUE(elsewhere->SendMessage("other", {.body = "y"}).ok());
  EXPECT_TRUE(wait_for("other"));
  service_->RemoveAvailabilityListener(id);
  {
    std::lock_guard<std::mutex> lock(mu);
    heard.clear();
  }
  Send("q", "z");
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(heard.count("q"), 0u);  // in-process announcements are synchronous with the send
}

}  // namespace mlw::queue::testing
