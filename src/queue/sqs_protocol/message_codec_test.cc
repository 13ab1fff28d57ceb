#include "queue/sqs_protocol/message_codec.h"

#include <gtest/gtest.h>

#include "queue/message_md5.h"

namespace mlw::queue::sqs {
namespace {

using nlohmann::json;

TEST(MessageCodecTest, DecodesStringNumberAndBinaryAttributes) {
  json in = {{"s", {{"DataType", "String"}, {"StringValue", "x"}}},
             {"n", {{"DataType", "Number.int"}, {"StringValue", "42"}}},
             {"b", {{"DataType", "Binary"}, {"BinaryValue", "AAEC"}}}};
  MessageAttributes attrs = DecodeMessageAttributes(in, "MessageAttributes").value();
  ASSERT_EQ(attrs.size(), 3u);
  EXPECT_EQ(attrs["b"].binary_value, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(attrs["n"].data_type, "Number.int");
  EXPECT_EQ(EncodeMessageAttributes(attrs), in);
}

TEST(MessageCodecTest, RejectsBadAttributesAsInvalidParameterValue) {
  auto reason = [](json in) {
    return DecodeMessageAttributes(in, "MessageAttributes").status().reason();
  };
  EXPECT_EQ(reason({{"a", {{"StringValue", "x"}}}}), "InvalidParameterValue");
  EXPECT_EQ(reason({{"a", {{"DataType", "Text"}, {"StringValue", "x"}}}}), "InvalidParameterValue");
  EXPECT_EQ(reason({{"a", {{"DataType", "String"}, {"BinaryValue", "AA=="}}}}),
            "InvalidParameterValue");
  EXPECT_EQ(reason({{"a", {{"DataType", "Binary"}, {"BinaryValue", "!!"}}}}),
            "InvalidParameterValue");
  EXPECT_EQ(reason({{"a", "x"}}), "InvalidParameterValue");
}

TEST(MessageCodecTest, SelectsAttributesByNameAllAndPrefix) {
  MessageAttributes attrs = {
      {"foo.a", {"String", "1", ""}}, {"foo.b", {"String", "2", ""}}, {"bar", {"String", "3", ""}}};
  EXPECT_EQ(SelectMessageAttributes(attrs, {"All"}).size(), 3u);
  EXPECT_EQ(SelectMessageAttributes(attrs, {".*"}).size(), 3u);
  EXPECT_EQ(SelectMessageAttributes(attrs, {"foo.*"}).size(), 2u);
  EXPECT_EQ(SelectMessageAttributes(attrs, {"bar", "nope"}).size(), 1u);
  EXPECT_TRUE(SelectMessageAttributes(attrs, {}).empty());
}

TEST(MessageCodecTest, EncodedMessageHasMd5OfReturnedAttributes) {
  Message m;
  m.message_id = "id";
  m.receipt_handle = "rh";
  m.body = "hello";
  m.md5_of_body = Md5Hex("hello");
  m.attributes = {{"foo.a", {"String", "1", ""}}, {"bar", {"String", "3", ""}}};
  m.receive_count = 2;
  m.sent_timestamp_ms = 1000;
  json out =
      EncodeMessage(m, SelectSystemAttributes({"ApproximateReceiveCount"}).value(), {"foo.*"});
  EXPECT_EQ(out["Attributes"], (json{{"ApproximateReceiveCount", "2"}}));
  EXPECT_EQ(out["MessageAttributes"].size(), 1u);
  MessageAttributes returned = {{"foo.a", {"String", "1", ""}}};
  EXPECT_EQ(out["MD5OfMessageAttributes"], Md5OfAttributes(returned));
  json bare = EncodeMessage(m, {}, {});
  EXPECT_FALSE(bare.contains("Attributes"));
  EXPECT_FALSE(bare.contains("MD5OfMessageAttributes"));
  EXPECT_EQ(bare["MD5OfBody"], "5d41402abc4b2a76b9719d911017c592");
}

TEST(MessageCodecTest, SystemAttributeNames) {
  EXPECT_EQ(SelectSystemAttributes({"All"}).value().size(), 4u);
  EXPECT_TRUE(SelectSystemAttributes({"MessageGroupId"}).value().empty());
  EXPECT_EQ(SelectSystemAttributes({"Bogus"}).status().reason(), "InvalidAttributeName");
}

}  // namespace
}  // namespace mlw::queue::sqs
