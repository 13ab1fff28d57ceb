#include "pipelines/vitals/vitals_rollup.h"

#include <gtest/gtest.h>

#include "core/timestamp.h"

namespace mlw::pipelines::vitals {
namespace {

int64_t At(const char* s) { return ParseRfc3339(s).value().micros; }

TEST(VitalsRollupTest, CumulativeSampleIsSplitByOverlap) {
  Bucketer hourly(TimeZone::Utc(), Period::kHourly);
  std::vector<Point> points = {{1, 900, At("2024-01-01T10:30:00Z"), At("2024-01-01T12:00:00Z")},
                               {2, 50, At("2024-01-01T11:10:00Z"), At("2024-01-01T11:10:00Z")}};
  auto out = Rollup(points, AggregationKind::kCumulative, hourly, INT64_MIN, INT64_MAX);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].start_us, At("2024-01-01T10:00:00Z"));
  EXPECT_DOUBLE_EQ(out[0].sum, 300);
  EXPECT_EQ(out[0].count, 1);
  EXPECT_DOUBLE_EQ(out[1].sum, 650);
  EXPECT_EQ(out[1].count, 2);
  EXPECT_DOUBLE_EQ(out[1].min, 50);
  EXPECT_DOUBLE_EQ(out[1].max, 600);
  EXPECT_DOUBLE_EQ(out[1].latest, 50);  // the later-starting sample
}

TEST(VitalsRollupTest, DiscreteSamplesCountAtStartAndLatestBreaksTiesByRawId) {
  Bucketer daily(TimeZone::Find("America/New_York").value(), Period::kDaily);
  std::vector<Point> points = {
      {5, 70, At("2024-03-10T23:30:00-04:00"), At("2024-03-11T01:00:00-04:00")},
      {3, 60, At("2024-03-10T01:00:00-05:00"), At("2024-03-10T01:00:00-05:00")},
      {4, 80, At("2024-03-10T23:30:00-04:00"), At("2024-03-10T23:30:00-04:00")}};
  auto out = Rollup(points, AggregationKind::kDiscrete, daily, INT64_MIN, INT64_MAX);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].end_us - out[0].start_us, 23LL * 3600 * 1000000);
  EXPECT_EQ(out[0].count, 3);
  EXPECT_DOUBLE_EQ(out[0].avg(), 70);
  EXPECT_DOUBLE_EQ(out[0].latest, 70);  // raw 5 beats raw 4 at the same start
}

TEST(VitalsRollupTest, OnlyBucketsStartingInsideTheWindowAreReturned) {
  Bucketer daily(TimeZone::Utc(), Period::kDaily);
  std::vector<Point> points = {{1, 48, At("2024-01-01T00:00:00Z"), At("2024-01-03T00:00:00Z")}};
  auto out = Rollup(points, AggregationKind::kCumulative, daily, At("2024-01-02T00:00:00Z"),
                    At("2024-01-03T00:00:00Z"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].sum, 24);
}

TEST(VitalsRollupTest, ComposeFoldsDaysIntoTheirWeek) {
  Bucketer daily(TimeZone::Utc(), Period::kDaily);
  Bucketer weekly(TimeZone::Utc(), Period::kWeekly);
  // A night of sleep from Sunday 22:00 to Monday 06:00 (480 min) and 30 min on Tuesday: the night
  // is one piece on Sunday (previous ISO week) and one on Monday.
  std::vector<Point> points = {{1, 480, At("2024-01-07T22:00:00Z"), At("2024-01-08T06:00:00Z")},
                               {2, 30, At("2024-01-09T13:00:00Z"), At("2024-01-09T13:30:00Z")}};
  auto days = Rollup(points, AggregationKind::kCumulative, daily, INT64_MIN, INT64_MAX);
  ASSERT_EQ(days.size(), 3u);
  auto weeks = Compose(days, weekly, INT64_MIN, INT64_MAX);
  ASSERT_EQ(weeks.size(), 2u);
  EXPECT_EQ(weeks[0].start_us, At("2024-01-01T00:00:00Z"));
  EXPECT_EQ(weeks[0].count, 1);
  EXPECT_DOUBLE_EQ(weeks[0].sum, 120);
  EXPECT_EQ(weeks[1].start_us, At("2024-01-08T00:00:00Z"));
  EXPECT_EQ(weeks[1].end_us, At("2024-01-15T00:00:00Z"));
  EXPECT_EQ(weeks[1].count, 2);  // Monday's piece of the night and Tuesday's nap
  EXPECT_DOUBLE_EQ(weeks[1].sum, 390);
  EXPECT_DOUBLE_EQ(weeks[1].min, 30);
  EXPECT_DOUBLE_EQ(weeks[1].max, 360);
  EXPECT_DOUBLE_EQ(weeks[1].latest, 30);
  EXPECT_EQ(weeks[1].latest_at_us, At("2024-01-09T13:00:00Z"));
}

TEST(VitalsRollupTest, ComposeBreaksLatestTiesByTheLaterDay) {
  Bucketer daily(TimeZone::Utc(), Period::kDaily);
  Bucketer monthly(TimeZone::Utc(), Period::kMonthly);
  std::vector<Point> points = {{7, 30, At("2024-05-10T23:00:00Z"), At("2024-05-11T01:00:00Z")}};
  auto days = Rollup(points, AggregationKind::kCumulative, daily, INT64_MIN, INT64_MAX);
  ASSERT_EQ(days.size(), 2u);
  days[0].latest = 111;  // tell the pieces apart
  days[1].latest = 222;
  auto months = Compose(days, monthly, At("2024-05-01T00:00:00Z"), At("2024-06-01T00:00:00Z"));
  ASSERT_EQ(months.size(), 1u);
  EXPECT_DOUBLE_EQ(months[0].latest, 222);
  EXPECT_EQ(months[0].count, 2);
  EXPECT_TRUE(Compose(days, monthly, At("2024-06-01T00:00:00Z"), INT64_MAX).empty());
}

}  // namespace
}  // namespace mlw::pipelines::vitals
