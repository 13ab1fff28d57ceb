#include "queue/sqs_protocol/query_decoder.h"

#include <gtest/gtest.h>

namespace mlw::queue::sqs {
namespace {

using nlohmann::json;

QueryInput Decode(const std::string& form) {
  auto params = http::ParseForm(form);
  EXPECT_TRUE(params.ok());
  Result<QueryInput> decoded = DecodeQueryParams(*params);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? *decoded : QueryInput{};
}

TEST(QueryDecoderTest, FlattenedMapsListsAndEntries) {
  QueryInput in = Decode(
      "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq"
      "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two"
      "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one"
      "&SendMessageBatchRequestEntry.1.DelaySeconds=5"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=color"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=red"
      "&X-Amz-Date=20240101T000000Z");
  EXPECT_EQ(in.action, "SendMessageBatch");
  json want = {
      {"QueueUrl", "http://h/000000000000/q"},
      {"Entries",
       {{{"Id", "a"},
         {"MessageBody", "one"},
         {"DelaySeconds", "5"},
         {"MessageAttributes", {{"color", {{"DataType", "String"}, {"StringValue", "red"}}}}}},
        {{"Id", "b"}, {"MessageBody", "two"}}}}};
  EXPECT_EQ(in.input, want);
}

TEST(QueryDecoderTest, QueueAttributesAndNameLists) {
  QueryInput in = Decode(
      "Action=ReceiveMessage&AttributeName.1=All&AttributeName.2=SentTimestamp"
      "&MessageAttributeName.1=foo.*&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=5");
  EXPECT_EQ(in.input["AttributeNames"], (json{"All", "SentTimestamp"}));
  EXPECT_EQ(in.input["MessageAttributeNames"], (json{"foo.*"}));
  EXPECT_EQ(in.input["Attributes"], (json{{"VisibilityTimeout", "5"}}));
}

TEST(QueryDecoderTest, BareNameWithEmptyValueIsAnEmptyListOrMap) {
  QueryInput in =
      Decode("Action=X&MessageAttributeName=&DeleteMessageBatchRequestEntry=&Attribute=");
  EXPECT_EQ(in.input["MessageAttributeNames"], json::array());
  EXPECT_EQ(in.input["Entries"], json::array());
  EXPECT_EQ(in.input["Attributes"], json::object());
}

TEST(QueryDecoderTest, MalformedKeysAreRejectedWithSqsNames) {
  auto decode = [](const std::string& form) { return DecodeQueryParams(*http::ParseForm(form)); };
  EXPECT_EQ(decode("Action=X&AttributeName=All").status().reason(), "MalformedQueryString");
  EXPECT_EQ(decode("Action=X&AttributeName.zero=All").status().reason(), "MalformedQueryString");
  EXPECT_EQ(decode("Action=X&A=1&A.B=2").status().reason(), "MalformedQueryString");
  EXPECT_EQ(decode("Action=X&A..B=2").status().reason(), "MalformedQueryString");
  EXPECT_EQ(decode("Action=X&Action=Y").status().reason(), "MalformedQueryString");
  EXPECT_EQ(decode("Action=X&Attribute.1.Value=5").status().reason(), "MissingParameter");
  EXPECT_TRUE(decode("QueueName=x").ok());  // no action: the caller reports it
  EXPECT_EQ(decode("QueueName=x")->action, "");
}

}  // namespace
}  // namespace mlw::queue::sqs
