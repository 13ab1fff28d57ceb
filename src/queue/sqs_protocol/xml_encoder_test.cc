#include "queue/sqs_protocol/xml_encoder.h"

#include <gtest/gtest.h>

namespace mlw::queue::sqs {
namespace {

using nlohmann::json;

const std::string kHead = "<?xml version=\"1.0\"?>";
const std::string kNs = " xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"";
const std::string kMeta = "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>";

TEST(XmlEncoderTest, ReceiveMessageUsesFlattenedModelNames) {
  json out = {{"Messages",
               {{{"MessageId", "m1"},
                 {"Body", "a<b & \"c\"\r"},
                 {"Attributes", {{"SentTimestamp", "1"}}},
                 {"MessageAttributes", {{"k", {{"DataType", "String"}, {"StringValue", "v"}}}}}}}}};
  EXPECT_EQ(RenderXmlResponse("ReceiveMessage", out, "rid"),
            kHead + "<ReceiveMessageResponse" + kNs + "><ReceiveMessageResult><Message>" +
                "<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>" +
                "<Body>a&lt;b &amp; &quot;c&quot;&#xD;</Body>" +
                "<MessageAttribute><Name>k</Name><Value><DataType>String</DataType>" +
                "<StringValue>v</StringValue></Value></MessageAttribute>" +
                "<MessageId>m1</MessageId></Message></ReceiveMessageResult>" + kMeta +
                "</ReceiveMessageResponse>");
}

TEST(XmlEncoderTest, BatchResultsAndListsAndVoidActions) {
  json batch = {
      {"Successful", {{{"Id", "a"}}}},
      {"Failed", {{{"Id", "b"}, {"SenderFault", true}, {"Code", "X"}, {"Message", "m"}}}}};
  EXPECT_EQ(RenderXmlResponse("DeleteMessageBatch", batch, "rid"),
            kHead + "<DeleteMessageBatchResponse" + kNs + "><DeleteMessageBatchResult>" +
                "<BatchResultErrorEntry><Code>X</Code><Id>b</Id><Message>m</Message>" +
                "<SenderFault>true</SenderFault></BatchResultErrorEntry>" +
                "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>" +
                "</DeleteMessageBatchResult>" + kMeta + "</DeleteMessageBatchResponse>");
  EXPECT_EQ(
      RenderXmlResponse("ListDeadLetterSourceQueues", {{"queueUrls", {"u1", "u2"}}}, "rid"),
      kHead + "<ListDeadLetterSourceQueuesResponse" + kNs +
          "><ListDeadLetterSourceQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>" +
          "</ListDeadLetterSourceQueuesResult>" + kMeta + "</ListDeadLetterSourceQueuesResponse>");
  EXPECT_EQ(RenderXmlResponse("DeleteMessage", json::object(), "rid"),
            kHead + "<DeleteMessageResponse" + kNs + ">" + kMeta + "</DeleteMessageResponse>");
  EXPECT_EQ(RenderXmlResponse("ListQueues", json::object(), "rid"),
            kHead + "<ListQueuesResponse" + kNs + "><ListQueuesResult></ListQueuesResult>" + kMeta +
                "</ListQueuesResponse>");
}

TEST(XmlEncoderTest, ErrorResponseCarriesLegacyCodeAndFault) {
  ErrorSpelling e = SpellError(Status(StatusCode::kNotFound, "gone", "QueueDoesNotExist"));
  EXPECT_EQ(RenderXmlError(e, "gone <now>", "rid"),
            kHead + "<ErrorResponse" + kNs + "><Error><Type>Sender</Type>" +
                "<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>gone &lt;now&gt;" +
                "</Message><Detail/></Error><RequestId>rid</RequestId></ErrorResponse>");
}

TEST(XmlEncoderTest, EscapeReplacesCharactersXmlCannotCarry) {
  EXPECT_EQ(XmlEscape(std::string("a\x01z\t\n", 5)), "a\xEF\xBF\xBDz\t\n");
}

TEST(ErrorsTest, SpellingsFollowTheServiceModel) {
  auto spell = [](const std::string& reason) { return SpellError(SqsError(reason, "m")); };
  EXPECT_EQ(spell("QueueDoesNotExist").json_type, "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_EQ(spell("QueueAlreadyExists").json_type, "com.amazonaws.sqs#QueueNameExists");
  EXPECT_EQ(spell("QueueAlreadyExists").query_code, "QueueAlreadyExists");
  EXPECT_EQ(spell("PurgeQueueInProgress").http_status, 403);
  EXPECT_EQ(spell("PurgeQueueInProgress").query_code,
            "AWS.SimpleQueueService.PurgeQueueInProgress");
  EXPECT_EQ(spell("SerializationException").json_type,
            "com.amazon.coral.service#SerializationException");
  EXPECT_EQ(SpellError(InvalidArgument("x")).query_code, "InvalidParameterValue");
  ErrorSpelling internal = SpellError(Internal("disk on fire"));
  EXPECT_EQ(internal.http_status, 500);
  EXPECT_FALSE(internal.sender_fault);
}

}  // namespace
}  // namespace mlw::queue::sqs
