// Unit tests of the remote backend's pure parts: URLs, error translation, base64 and the JSON codec
// with its MD5 checks. Behaviour over HTTP is tested in tests/sqs_client/.
#include <gtest/gtest.h>

#include "queue/message_md5.h"
#include "queue/sqs_client.h"
#include "queue/sqs_client_url.h"
#include "queue/sqs_queue_service_codec.h"

namespace mlw::queue {
namespace {

using nlohmann::json;

TEST(SqsUrlTest, AwsQueueUrlGivesEndpointRegionAccountAndName) {
  Result<SqsUrl> u = ParseSqsUrl("https://sqs.us-east-1.amazonaws.com/123456789012/production-ml-worker");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->Endpoint(), "https://sqs.us-east-1.amazonaws.com");
  EXPECT_EQ(u->HostHeader(), "sqs.us-east-1.amazonaws.com");
  EXPECT_EQ(u->region, "us-east-1");
  EXPECT_EQ(u->account, "123456789012");
  EXPECT_EQ(u->queue_name, "production-ml-worker");
  EXPECT_TRUE(u->IsAwsHost());
}

TEST(SqsUrlTest, LocalEndpointKeepsPortAndHasNoRegion) {
  Result<SqsUrl> u = ParseSqsUrl("http://127.0.0.1:9324/000000000000/ml-worker");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->Endpoint(), "http://127.0.0.1:9324");
  EXPECT_EQ(u->HostHeader(), "127.0.0.1:9324");
  EXPECT_EQ(u->region, "");
  EXPECT_EQ(u->queue_name, "ml-worker");
  EXPECT_FALSE(u->IsAwsHost());

  Result<SqsUrl> bare = ParseSqsUrl("http://localhost:9324/");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->queue_name, "");
  EXPECT_EQ(ParseSqsUrl("https://sqs.eu-west-1.amazonaws.com:443/1/q")->HostHeader(),
            "sqs.eu-west-1.amazonaws.com");
  // A region-shaped label outside AWS is not a region.
  EXPECT_EQ(ParseSqsUrl("http://my-app-1.example.com/1/q")->region, "");
}

TEST(SqsUrlTest, RegionFromOtherAwsHostForms) {
  EXPECT_EQ(RegionFromHost("eu-west-1.queue.amazonaws.com"), "eu-west-1");
  EXPECT_EQ(RegionFromHost("sqs.cn-north-1.amazonaws.com.cn"), "cn-north-1");
  EXPECT_EQ(RegionFromHost("vpce-0a1b-xyz.sqs.us-gov-west-1.vpce.amazonaws.com"), "us-gov-west-1");
  EXPECT_EQ(RegionFromHost("queue.amazonaws.com"), "us-east-1");
}

TEST(SqsUrlTest, MalformedUrlsAreRejectedWithTheReason) {
  for (const char* bad : {"sqs.us-east-1.amazonaws.com/1/q", "ftp://host/1/q", "http:///1/q",
                          "http://host:99999/1/q", "http://host/1/q/extra", "http://host/1/bad name",
                          "http://user@host/1/q", "http://host/1/q?x=1"}) {
    Result<SqsUrl> u = ParseSqsUrl(bad);
    EXPECT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(ParseSqsUrl("http://[::1]:9324/1/q.fifo").ok());
}

TEST(SqsErrorTest, TypeIsStrippedToTheErrorName) {
  HttpResponse r{400, {}, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"})"};
  Status s = SqsErrorFromResponse("GetQueueUrl", r);
  EXPECT_EQ(s.reason(), "QueueDoesNotExist");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("gone"), std::string::npos);
  EXPECT_FALSE(IsRetryableSqsError(s));

  HttpResponse exists{400, {}, R"({"__type":"com.amazonaws.sqs#QueueNameExists","Message":"x"})"};
  EXPECT_EQ(SqsErrorFromResponse("CreateQueue", exists).reason(), "QueueAlreadyExists");
  EXPECT_EQ(SqsErrorFromResponse("CreateQueue", exists).code(), StatusCode::kAlreadyExists);

  HttpResponse suffixed{400, {}, R"({"__type":"aws.sqs#InvalidParameterValue:http://x/"})"};
  EXPECT_EQ(SqsErrorFromResponse("A", suffixed).reason(), "InvalidParameterValue");
}

TEST(SqsErrorTest, ThrottlingAndServerErrorsAreRetryableClientErrorsAreNot) {
  HttpResponse throttled{400, {}, R"({"__type":"com.amazonaws.sqs#RequestThrottled"})"};
  EXPECT_TRUE(IsRetryableSqsError(SqsErrorFromResponse("A", throttled)));
  HttpResponse throttling{400, {}, R"({"__type":"ThrottlingException"})"};
  EXPECT_TRUE(IsRetryableSqsError(SqsErrorFromResponse("A", throttling)));
  HttpResponse too_many{429, {}, ""};
  Status s429 = SqsErrorFromResponse("A", too_many);
  EXPECT_EQ(s429.reason(), "HttpStatus429");
  EXPECT_TRUE(IsRetryableSqsError(s429));
  HttpResponse internal{500, {}, R"({"__type":"com.amazonaws.sqs#InternalError"})"};
  EXPECT_TRUE(IsRetryableSqsError(SqsErrorFromResponse("A", internal)));
  HttpResponse odd5xx{502, {}, "<html>bad gateway</html>"};
  EXPECT_TRUE(IsRetryableSqsError(SqsErrorFromResponse("A", odd5xx)));
  HttpResponse query_header{400, {{"x-amzn-query-error", "AWS.SimpleQueueService.Foo;Sender"}}, ""};
  EXPECT_EQ(SqsErrorFromResponse("A", query_header).reason(), "AWS.SimpleQueueService.Foo");
  HttpResponse denied{400, {}, R"({"__type":"com.amazonaws.sqs#AccessDeniedException"})"};
  EXPECT_EQ(SqsErrorFromResponse("A", denied).code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(IsRetryableSqsError(SqsErrorFromResponse("A", denied)));
  HttpResponse sig{403, {}, R"({"__type":"com.amazon.coral.service#SignatureDoesNotMatch"})"};
  EXPECT_EQ(SqsErrorFromResponse("A", sig).code(), StatusCode::kUnauthenticated);
}

TEST(Base64Test, RoundTripsAllPaddings) {
  for (std::string s : {std::string(""), std::string("a"), std::string("ab"), std::string("abc"),
                        std::string("\x00\xff\x10\x80", 4)}) {
    std::optional<std::string> back = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("ab!d").has_value());
}

json WireMessage(const std::string& body, const MessageAttributes& attrs) {
  json m = {{"MessageId", "m1"},
            {"ReceiptHandle", "rh1"},
            {"Body", body},
            {"MD5OfBody", Md5Hex(body)},
            {"Attributes",
             {{"ApproximateReceiveCount", "3"},
              {"SentTimestamp", "1700000000123"},
              {"ApproximateFirstReceiveTimestamp", "1700000001000"}}}};
  if (!attrs.empty()) {
    m["MessageAttributes"] = EncodeMessageAttributes(attrs);
    m["MD5OfMessageAttributes"] = Md5OfAttributes(attrs);
  }
  return m;
}

TEST(SqsCodecTest, DecodesMessagesWithAttributesAndSystemAttributes) {
  MessageAttributes attrs;
  attrs["job_type"] = {"String", "process_pending_vitals", ""};
  attrs["blob"] = {"Binary", "", std::string("\x01\x00\x02", 3)};
  attrs["n"] = {"Number.int", "42", ""};
  json resp = {{"Messages", {WireMessage("{\"user_id\":1}", attrs)}}};
  Result<std::vector<Message>> msgs = DecodeMessages(resp);
  ASSERT_TRUE(msgs.ok()) << msgs.status().ToString();
  ASSERT_EQ(msgs->size(), 1u);
  const Message& m = (*msgs)[0];
  EXPECT_EQ(m.body, "{\"user_id\":1}");
  EXPECT_EQ(m.receipt_handle, "rh1");
  EXPECT_EQ(m.attributes, attrs);
  EXPECT_EQ(m.receive_count, 3);
  EXPECT_EQ(m.sent_timestamp_ms, 1700000000123);
  EXPECT_EQ(m.first_receive_timestamp_ms, 1700000001000);
  EXPECT_TRUE(DecodeMessages(json::object())->empty());
}

TEST(SqsCodecTest, ReceivedDigestMismatchIsAnError) {
  json body_bad = WireMessage("hello", {});
  body_bad["Body"] = "hellO";
  Status s = DecodeMessages({{"Messages", {body_bad}}}).status();
  EXPECT_EQ(s.reason(), "MD5Mismatch");

  MessageAttributes attrs;
  attrs["a"] = {"String", "1", ""};
  json attr_bad = WireMessage("hello", attrs);
  attr_bad["MessageAttributes"]["a"]["StringValue"] = "2";
  EXPECT_EQ(DecodeMessages({{"Messages", {attr_bad}}}).status().reason(), "MD5Mismatch");
}

TEST(SqsCodecTest, SendOutcomeChecksDigestsPerEntry) {
  std::vector<SendEntry> entries = {{"a", "body-a", std::nullopt, {}, ""},
                                    {"b", "body-b", 5, {}, ""},
                                    {"c", "body-c", std::nullopt, {}, ""}};
  json wire = EncodeSendEntries(entries, /*fifo=*/false);
  EXPECT_EQ(wire[1]["DelaySeconds"], 5);
  EXPECT_FALSE(wire[0].contains("DelaySeconds"));
  EXPECT_FALSE(wire[0].contains("MessageGroupId"));
  json resp = {
      {"Successful",
       {{{"Id", "a"}, {"MessageId", "ma"}, {"MD5OfMessageBody", Md5Hex("body-a")}},
        {{"Id", "b"}, {"MessageId", "mb"}, {"MD5OfMessageBody", Md5Hex("tampered")}}}},
      {"Failed",
       {{{"Id", "c"}, {"Code", "InvalidMessageContents"}, {"Message", "bad"},
         {"SenderFault", true}}}}};
  Result<BatchOutcome<SendResult>> out = DecodeSendOutcome(resp, entries);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->successful.size(), 1u);
  EXPECT_EQ(out->successful[0].message_id, "ma");
  ASSERT_EQ(out->failed.size(), 2u);
  EXPECT_EQ(out->failed[0].id, "b");
  EXPECT_EQ(out->failed[0].code, "MD5Mismatch");
  EXPECT_FALSE(out->failed[0].sender_fault);
  EXPECT_EQ(out->failed[1].code, "InvalidMessageContents");
}

TEST(SqsCodecTest, FifoEntriesCarryGroupAndDeduplicationIds) {
  json wire = EncodeSendEntries({{"a", "x", std::nullopt, {}, "dedup-1"}}, /*fifo=*/true);
  EXPECT_EQ(wire[0]["MessageDeduplicationId"], "dedup-1");
  EXPECT_EQ(wire[0]["MessageGroupId"], "mlworker");
}

TEST(SqsCodecTest, MoveTaskStatus) {
  json running = {{"Results", {{{"TaskHandle", "h"}, {"Status", "RUNNING"}}}}};
  EXPECT_FALSE(DecodeMoveTaskStatus(running, "h")->has_value());
  json done = {{"Results", {{{"Status", "COMPLETED"}, {"ApproximateNumberOfMessagesMoved", 7}}}}};
  EXPECT_EQ((*DecodeMoveTaskStatus(done, "h"))->moved, 7);
  json failed = {{"Results", {{{"Status", "FAILED"}, {"FailureReason", "AccessDenied"}}}}};
  Status s = DecodeMoveTaskStatus(failed, "h").status();
  EXPECT_EQ(s.reason(), "MessageMoveTaskFailed");
  EXPECT_NE(s.message().find("AccessDenied"), std::string::npos);
}

}  // namespace
}  // namespace mlw::queue
