#include "http/url.h"

#include <gtest/gtest.h>

namespace mlw::http {
namespace {

TEST(UrlTest, PercentDecodeHandlesEscapesAndPlus) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc", false).value(), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false).value(), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true).value(), "a b");
  EXPECT_EQ(PercentDecode("%e2%82%AC", false).value(), "\xe2\x82\xac");
}

TEST(UrlTest, PercentDecodeRejectsBadEscapes) {
  EXPECT_FALSE(PercentDecode("%", false).ok());
  EXPECT_FALSE(PercentDecode("%4", false).ok());
  EXPECT_FALSE(PercentDecode("%zz", false).ok());
  EXPECT_EQ(PercentDecode("%41%", false).status().code(), StatusCode::kInvalidArgument);
}

TEST(UrlTest, PercentEncodeKeepsUnreserved) {
  EXPECT_EQ(PercentEncode("aZ9-_.~ /+"), "aZ9-_.~%20%2F%2B");
  EXPECT_EQ(PercentEncode("/a b/", true), "/a%20b/");
}

TEST(UrlTest, ParseFormKeepsOrderAndDecodes) {
  auto params = ParseForm("Action=SendMessage&MessageBody=hi+there%21&&Flag&Empty=").value();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0], (std::pair<std::string, std::string>{"Action", "SendMessage"}));
  EXPECT_EQ(params[1].second, "hi there!");
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>{"Flag", ""}));
  EXPECT_EQ(params[3], (std::pair<std::string, std::string>{"Empty", ""}));
  EXPECT_FALSE(ParseForm("a=%G1").ok());
  EXPECT_TRUE(ParseForm("").value().empty());
}

}  // namespace
}  // namespace mlw::http
