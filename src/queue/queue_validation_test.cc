#include "queue/queue_validation.h"

#include <gtest/gtest.h>

#include "queue/receipt_handle.h"

namespace mlw::queue {
namespace {

TEST(QueueValidationTest, XmlSafeUtf8) {
  EXPECT_TRUE(IsXmlSafeUtf8(""));
  EXPECT_TRUE(IsXmlSafeUtf8("plain \t\r\n text"));
  EXPECT_TRUE(IsXmlSafeUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_FALSE(IsXmlSafeUtf8(std::string("\x00", 1)));
  EXPECT_FALSE(IsXmlSafeUtf8("\x1F"));
  EXPECT_FALSE(IsXmlSafeUtf8("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_FALSE(IsXmlSafeUtf8("\xED\xB0\x80"));      // a surrogate
  EXPECT_FALSE(IsXmlSafeUtf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(IsXmlSafeUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsXmlSafeUtf8("\x80"));
}

TEST(QueueValidationTest, RedrivePolicyParsing) {
  Result<RedrivePolicy> p = ParseRedrivePolicy(
      R"({"deadLetterTargetArn":"arn:aws:sqs:eu-central-1:123456789012:my-dlq","maxReceiveCount":"5"})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->dead_letter_queue, "my-dlq");
  EXPECT_EQ(p->max_receive_count, 5);
  EXPECT_EQ(RedrivePolicyJson(*p),
            R"({"deadLetterTargetArn":"arn:aws:sqs:eu-central-1:123456789012:my-dlq","maxReceiveCount":5})");
  for (const char* bad : {
           R"([])",
           R"({"maxReceiveCount":5})",
           R"({"deadLetterTargetArn":"arn:aws:sqs:r:000000000000:q"})",
           R"({"deadLetterTargetArn":"arn:aws:sns:r:000000000000:q","maxReceiveCount":1})",
           R"({"deadLetterTargetArn":"arn:aws:sqs:r:0000:q","maxReceiveCount":1})",
           R"({"deadLetterTargetArn":"arn:aws:sqs:r:000000000000:bad.name","maxReceiveCount":1})",
           R"({"deadLetterTargetArn":"arn:aws:sqs:r:000000000000:q","maxReceiveCount":1001})",
           R"({"deadLetterTargetArn":"arn:aws:sqs:r:000000000000:q","maxReceiveCount":"x"})",
           R"({"deadLetterTargetArn":"arn:aws:sqs:r:000000000000:q","maxReceiveCount":1,"x":1})",
       }) {
    Result<RedrivePolicy> r = ParseRedrivePolicy(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().reason(), "InvalidAttributeValue") << bad;
  }
}

TEST(QueueValidationTest, ApplyQueueAttributesIsAllOrNothing) {
  QueueConfig config;
  Status s = ApplyQueueAttributes({{"DelaySeconds", "5"}, {"VisibilityTimeout", "-1"}}, &config);
  EXPECT_EQ(s.reason(), "InvalidAttributeValue");
  EXPECT_EQ(config, QueueConfig());  // DelaySeconds was not applied either
  ASSERT_TRUE(ApplyQueueAttributes({{"DelaySeconds", "5"}, {"Policy", "{}"},
                                    {"SqsManagedSseEnabled", "true"}},
                                   &config)
                  .ok());
  EXPECT_EQ(config.delay_seconds, 5);
  QueueAttributes out = ConfigToAttributes(config);
  EXPECT_EQ(out.at("DelaySeconds"), "5");
  EXPECT_EQ(out.at("Policy"), "{}");
  EXPECT_EQ(PassthroughFromJson(PassthroughToJson(config.passthrough)), config.passthrough);
  EXPECT_EQ(ApplyQueueAttributes({{"SqsManagedSseEnabled", "yes"}}, &config).reason(),
            "InvalidAttributeValue");
  EXPECT_EQ(ApplyQueueAttributes({{"QueueArn", "x"}}, &config).reason(), "InvalidAttributeName");
}

TEST(QueueValidationTest, RequestedAttributeNames) {
  EXPECT_TRUE(ValidateRequestedAttributeNames({"All"}).ok());
  EXPECT_TRUE(ValidateRequestedAttributeNames({"QueueArn", "ApproximateNumberOfMessages"}).ok());
  EXPECT_EQ(ValidateRequestedAttributeNames({"Nope"}).reason(), "InvalidAttributeName");
  EXPECT_TRUE(AttributeRequested({"All"}, "QueueArn"));
  EXPECT_FALSE(AttributeRequested({"DelaySeconds"}, "QueueArn"));
}

TEST(QueueValidationTest, MessageSizeCountsAttributes) {
  SendEntry e;
  e.body = "12345";
  e.attributes["ab"] = {"String", "xyz", ""};
  e.attributes["c"] = {"Binary", "", "\x01\x02"};
  EXPECT_EQ(MessageSize(e), 5u + (2 + 6 + 3) + (1 + 6 + 2));
}

TEST(ReceiptHandleTest, RoundTripsAndRejectsTampering) {
  ReceiptHandle h{42, 1234567890123, 0xfedcba9876543210ULL};
  std::string text = EncodeReceiptHandle(h);
  EXPECT_EQ(text.size(), 34u);
  std::optional<ReceiptHandle> back = DecodeReceiptHandle(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
  EXPECT_FALSE(DecodeReceiptHandle("").has_value());
  EXPECT_FALSE(DecodeReceiptHandle(text.substr(1)).has_value());
  EXPECT_FALSE(DecodeReceiptHandle(text + "A").has_value());
  std::string bad_char = text;
  bad_char[5] = '*';
  EXPECT_FALSE(DecodeReceiptHandle(bad_char).has_value());
  std::string bad_padding = text;
  bad_padding.back() = 'B';  // the last character's low bits are padding and must be zero
  EXPECT_FALSE(DecodeReceiptHandle(bad_padding).has_value());
}

TEST(ReceiptHandleTest, RandomUuidsAreVersion4AndDistinct) {
  std::string a = RandomUuid();
  std::string b = RandomUuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos);
}

}  // namespace
}  // namespace mlw::queue
