#include "core/status.h"

#include <gtest/gtest.h>

namespace mlw {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgument("must be positive", "InvalidParameterValue");
  return v;
}

Result<int> Doubled(int v) {
  MLW_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return x * 2;
}

TEST(StatusTest, OkAndErrorCarryCodeMessageReason) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("queue q missing", "QueueDoesNotExist");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.reason(), "QueueDoesNotExist");
  EXPECT_EQ(s.ToString(), "NotFound (QueueDoesNotExist): queue q missing");
}

TEST(StatusTest, AssignOrReturnPropagatesErrors) {
  EXPECT_EQ(*Doubled(4), 8);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().reason(), "InvalidParameterValue");
}

}  // namespace
}  // namespace mlw
