#include "queue/sqs_protocol/wire.h"

#include <gtest/gtest.h>

#include "queue/sqs_protocol/errors.h"

namespace mlw::queue::sqs {
namespace {

http::Request JsonRequest(std::string target, std::string body) {
  http::Request r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", std::move(target)}};
  r.body = std::move(body);
  return r;
}

TEST(WireTest, DecodesJsonProtocol) {
  http::Request r = JsonRequest("AmazonSQS.SendMessage", R"({"QueueUrl":"u","MessageBody":"b"})");
  ASSERT_EQ(DetectProtocol(r), Protocol::kJson);
  WireRequest w = DecodeRequest(r, Protocol::kJson).value();
  EXPECT_EQ(w.action, "SendMessage");
  EXPECT_EQ(w.input["MessageBody"], "b");
}

TEST(WireTest, BrokenJsonIsSerializationException) {
  EXPECT_EQ(
      DecodeRequest(JsonRequest("AmazonSQS.SendMessage", "{"), Protocol::kJson).status().reason(),
      "SerializationException");
  EXPECT_EQ(
      DecodeRequest(JsonRequest("AmazonSQS.SendMessage", "[1]"), Protocol::kJson).status().reason(),
      "SerializationException");
  EXPECT_EQ(
      DecodeRequest(JsonRequest("Other.SendMessage", "{}"), Protocol::kJson).status().reason(),
      "InvalidAction");
}

TEST(WireTest, DecodesQueryFromBodyAndQueryString) {
  http::Request r;
  r.method = "POST";
  r.path = "/000000000000/q";
  r.query = "Action=ReceiveMessage";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r.body = "MaxNumberOfMessages=3";
  ASSERT_EQ(DetectProtocol(r), Protocol::kQuery);
  WireRequest w = DecodeRequest(r, Protocol::kQuery).value();
  EXPECT_EQ(w.action, "ReceiveMessage");
  EXPECT_EQ(w.input["MaxNumberOfMessages"], "3");
  r.body = "MaxNumberOfMessages=%ZZ";
  EXPECT_EQ(DecodeRequest(r, Protocol::kQuery).status().reason(), "MalformedQueryString");
  r.query.clear();
  r.body = "QueueName=x";
  EXPECT_EQ(DecodeRequest(r, Protocol::kQuery).status().reason(), "InvalidAction");
}

TEST(WireTest, JsonErrorCarriesTypeAndQueryErrorHeader) {
  http::Response r = RenderError(Protocol::kJson, SqsError("QueueDoesNotExist", "nope"), "rid");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(http::FindHeader(r.headers, "x-amzn-query-error"),
            "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(http::FindHeader(r.headers, "x-amzn-RequestId"), "rid");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_EQ(body["message"], "nope");
}

TEST(WireTest, QueryErrorIsXml) {
  http::Response r = RenderError(Protocol::kQuery, SqsError("PurgeQueueInProgress", "wait"), "rid");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("<Code>AWS.SimpleQueueService.PurgeQueueInProgress</Code>"),
            std::string::npos);
  EXPECT_EQ(http::FindHeader(r.headers, "Content-Type"), "text/xml");
}

}  // namespace
}  // namespace mlw::queue::sqs
