#include "queue/sqs_protocol/base64.h"

#include <gtest/gtest.h>

namespace mlw::queue::sqs {
namespace {

TEST(Base64Test, RoundTripsAllLengths) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t n = 0; n < bytes.size(); n += 37) {
    std::string part = bytes.substr(0, n);
    EXPECT_EQ(Base64Decode(Base64Encode(part)).value(), part);
  }
}

TEST(Base64Test, RejectsMalformedInput) {
  EXPECT_FALSE(Base64Decode("Zg=").ok());
  EXPECT_FALSE(Base64Decode("Z!==").ok());
  EXPECT_FALSE(Base64Decode("Zg==Zg==").ok());
  EXPECT_FALSE(Base64Decode("=Zg=").ok());
}

}  // namespace
}  // namespace mlw::queue::sqs
