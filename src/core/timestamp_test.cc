#include "core/timestamp.h"

#include <gtest/gtest.h>

namespace mlw {
namespace {

TEST(TimestampTest, ParsesOffsetsFractionsAndZ) {
  auto a = ParseRfc3339("2024-03-10T02:30:00-05:00");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->micros, int64_t{1710055800} * 1000000);
  EXPECT_EQ(a->offset_seconds, -5 * 3600);
  auto b = ParseRfc3339("2024-03-10t07:30:00.25z");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->micros, int64_t{1710055800} * 1000000 + 250000);
  auto c = ParseRfc3339("2024-02-29 12:00:00.1234567+05:30");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->offset_seconds, 5 * 3600 + 30 * 60);
  EXPECT_EQ(c->micros % 1000000, 123456);
  auto old = ParseRfc3339("1969-12-31T23:59:59.5Z");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->micros, -500000);
}

TEST(TimestampTest, RejectsMalformedOrImpossibleValues) {
  for (const char* bad :
       {"", "2024-03-10", "2024-03-10T02:30:00", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
        "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z",
        "2024-01-01T00:00:00+2400", "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00Zjunk", "yesterday", "0000-01-01T00:00:00Z", "2024-1-01T00:00:00Z"}) {
    auto r = ParseRfc3339(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(TimestampTest, FormatRoundTrips) {
  EXPECT_EQ(FormatRfc3339(int64_t{1710055800} * 1000000, -5 * 3600), "2024-03-10T02:30:00-05:00");
  EXPECT_EQ(FormatRfc3339(int64_t{1710055800} * 1000000 + 250000), "2024-03-10T07:30:00.25Z");
  EXPECT_EQ(FormatRfc3339(-500000), "1969-12-31T23:59:59.5Z");
  for (int64_t us :
       {int64_t{0}, int64_t{951782400123456}, int64_t{-86400000001}, int64_t{4102444799999999}}) {
    for (int off : {0, 19800, -34200, 37800}) {
      auto p = ParseRfc3339(FormatRfc3339(us, off));
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(p->micros, us);
      EXPECT_EQ(p->offset_seconds, off);
    }
  }
}

TEST(TimestampTest, ParsesIsoDates) {
  auto d = ParseIsoDate("2024-02-29");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, 19782);
  EXPECT_FALSE(ParseIsoDate("2023-02-29").ok());
  EXPECT_FALSE(ParseIsoDate("2024-02-29T00:00:00Z").ok());
}

}  // namespace
}  // namespace mlw
