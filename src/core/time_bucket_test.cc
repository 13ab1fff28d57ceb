#include "core/time_bucket.h"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <random>

#include "core/timestamp.h"

namespace mlw {
namespace {

constexpr int64_t kUs = 1'000'000;
constexpr int64_t kHour = 3600 * kUs;

int64_t At(const char* rfc3339) {
  auto p = ParseRfc3339(rfc3339);
  EXPECT_TRUE(p.ok()) << rfc3339;
  return p->micros;
}

Bucket BucketIn(const char* zone, Period p, const char* when) {
  auto tz = TimeZone::Find(zone);
  EXPECT_TRUE(tz.ok());
  Bucketer b(*tz, p);
  return b.BucketOf(At(when));
}

TEST(TimeZoneTest, FindsIanaNamesAndRejectsOthers) {
  EXPECT_TRUE(TimeZone::Find("UTC").ok());
  EXPECT_TRUE(TimeZone::Find("Australia/Lord_Howe").ok());
  auto bad = TimeZone::Find("Mars/Olympus_Mons");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Mars/Olympus_Mons"), std::string::npos);
  EXPECT_FALSE(TimeZone::Find("").ok());
  EXPECT_EQ(ParsePeriod("weekly").value(), Period::kWeekly);
  EXPECT_FALSE(ParsePeriod("fortnightly").ok());
}

TEST(TimeBucketTest, DaysAcrossDaylightSavingHave23And25Hours) {
  Bucket spring = BucketIn("America/New_York", Period::kDaily, "2024-03-10T12:00:00-04:00");
  EXPECT_EQ(spring.start_us, At("2024-03-10T00:00:00-05:00"));
  EXPECT_EQ(spring.end_us - spring.start_us, 23 * kHour);
  Bucket fall = BucketIn("America/New_York", Period::kDaily, "2024-11-03T23:00:00-05:00");
  EXPECT_EQ(fall.start_us, At("2024-11-03T00:00:00-04:00"));
  EXPECT_EQ(fall.end_us - fall.start_us, 25 * kHour);
  Bucket lh = BucketIn("Australia/Lord_Howe", Period::kDaily, "2024-04-07T12:00:00+10:30");
  EXPECT_EQ(lh.end_us - lh.start_us, 24 * kHour + kHour / 2);
}

TEST(TimeBucketTest, RepeatedHourAfterFallBackIsItsOwnBucket) {
  Bucket first = BucketIn("America/New_York", Period::kHourly, "2024-11-03T01:30:00-04:00");
  Bucket second = BucketIn("America/New_York", Period::kHourly, "2024-11-03T01:30:00-05:00");
  EXPECT_EQ(first.start_us, At("2024-11-03T01:00:00-04:00"));
  EXPECT_EQ(first.end_us, At("2024-11-03T01:00:00-05:00"));
  EXPECT_EQ(second.start_us, first.end_us);
  EXPECT_EQ(second.end_us - second.start_us, kHour);
}

TEST(TimeBucketTest, GapThatSwallowsABoundaryStartsTheBucketAtTheGapEnd) {
  // Lord Howe springs forward 02:00 -> 02:30 (+10:30 -> +11:00) on 2024-10-06.
  Bucket b = BucketIn("Australia/Lord_Howe", Period::kHourly, "2024-10-06T02:45:00+11:00");
  EXPECT_EQ(b.start_us, At("2024-10-06T02:30:00+11:00"));
  EXPECT_EQ(b.end_us, At("2024-10-06T03:00:00+11:00"));
}

TEST(TimeBucketTest, WeeksStartMondayAndQuartersAndYearsInLocalTime) {
  Bucket w = BucketIn("Europe/London", Period::kWeekly, "2024-03-31T12:00:00+01:00");  // Sunday
  EXPECT_EQ(w.start_us, At("2024-03-25T00:00:00Z"));
  EXPECT_EQ(w.end_us, At("2024-04-01T00:00:00+01:00"));
  Bucket q = BucketIn("Asia/Kolkata", Period::kQuarterly, "2024-06-30T23:59:59+05:30");
  EXPECT_EQ(q.start_us, At("2024-04-01T00:00:00+05:30"));
  EXPECT_EQ(q.end_us, At("2024-07-01T00:00:00+05:30"));
  Bucket y = BucketIn("Asia/Kolkata", Period::kYearly, "2023-12-31T18:30:00Z");  // local Jan 1
  EXPECT_EQ(y.start_us, At("2024-01-01T00:00:00+05:30"));
  Bucket m = BucketIn("UTC", Period::kMonthly, "2024-02-29T23:59:59Z");
  EXPECT_EQ(m.end_us - m.start_us, 29 * 24 * kHour);
}

// An independent day/week/month/quarter/year key from date's own zoned conversion.
int64_t LocalKey(const date::time_zone* tz, int64_t us, Period p) {
  auto local = tz->to_local(
      date::sys_seconds{std::chrono::seconds{us >= 0 ? us / kUs : -((-us + kUs - 1) / kUs)}});
  auto ld = date::floor<date::days>(local);
  date::year_month_day ymd{ld};
  switch (p) {
    case Period::kDaily:
      return ld.time_since_epoch().count();
    case Period::kWeekly: {
      date::weekday wd{ld};
      return (ld - date::days{(wd.c_encoding() + 6) % 7}).time_since_epoch().count();
    }
    case Period::kMonthly:
      return int(ymd.year()) * 12 + int(unsigned(ymd.month())) - 1;
    case Period::kQuarterly:
      return int(ymd.year()) * 4 + int(unsigned(ymd.month()) - 1) / 3;
    case Period::kYearly:
      return int(ymd.year());
    default:
      return 0;
  }
}

TEST(TimeBucketPropertyTest, BucketsPartitionTimeAndMatchLocalCalendar) {
  std::mt19937_64 rng(20240310);
  const char* zones[] = {
      "UTC",          "America/New_York",  "Europe/London",  "Australia/Lord_Howe",
      "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham"};
  const int64_t lo = At("1995-01-01T00:00:00Z"), hi = At("2035-01-01T00:00:00Z");
  std::uniform_int_distribution<int64_t> when(lo, hi);
  for (const char* name : zones) {
    TimeZone zone = TimeZone::Find(name).value();
    for (Period p : {Period::kHourly, Period::kDaily, Period::kWeekly, Period::kMonthly,
                     Period::kQuarterly, Period::kYearly}) {
      Bucketer bucketer(zone, p);
      Bucketer fresh(zone, p);
      for (int i = 0; i < 1500; ++i) {
        int64_t t = when(rng);
        if (i % 3 == 0) {
          // Land near a transition to exercise the slow path.
          auto info = zone.tz()->get_info(date::sys_seconds{std::chrono::seconds{t / kUs}});
          int64_t transition = info.end.time_since_epoch().count();
          if (transition < hi / kUs) {
            t = transition * kUs + (static_cast<int64_t>(rng() % 7200) - 3600) * kUs;
          }
        }
        Bucket b = bucketer.BucketOf(t);
        SCOPED_TRACE(std::string(name) + " " + PeriodName(p) + " " + FormatRfc3339(t));
        ASSERT_LE(b.start_us, t);
        ASSERT_LT(t, b.end_us);
        ASSERT_EQ(fresh.BucketOf(b.start_us), b);
        ASSERT_EQ(fresh.BucketOf(b.end_us - 1), b);
        ASSERT_EQ(fresh.BucketOf(b.end_us).start_us, b.end_us);
        int64_t len = b.end_us - b.start_us;
        if (p == Period::kHourly) {
          ASSERT_GE(len, kHour / 4);
          ASSERT_LE(len, 2 * kHour);
        } else {
          ASSERT_EQ(LocalKey(zone.tz(), b.start_us, p), LocalKey(zone.tz(), t, p));
          ASSERT_NE(LocalKey(zone.tz(), b.start_us - kUs, p), LocalKey(zone.tz(), t, p));
          ASSERT_NE(LocalKey(zone.tz(), b.end_us, p), LocalKey(zone.tz(), t, p));
        }
      }
    }
  }
}

// A Bucketer reuses the bucket it found last; walking through time in small steps (as rollups of
// sorted samples do) across daylight-saving changes, it must answer as a new one does.
TEST(TimeBucketPropertyTest, AReusedBucketerAnswersLikeANewOne) {
  std::mt19937_64 rng(20261123);
  for (const char* name : {"Europe/London", "Australia/Lord_Howe", "America/Sao_Paulo"}) {
    TimeZone zone = TimeZone::Find(name).value();
    for (Period p : {Period::kHourly, Period::kDaily, Period::kWeekly, Period::kMonthly}) {
      Bucketer reused(zone, p);
      int64_t t = At("2024-03-01T00:00:00Z");
      const int64_t end = At("2024-12-01T00:00:00Z");
      while (t < end) {
        SCOPED_TRACE(std::string(name) + " " + PeriodName(p) + " " + FormatRfc3339(t));
        ASSERT_EQ(reused.BucketOf(t), Bucketer(zone, p).BucketOf(t));
        t += static_cast<int64_t>(1 + rng() % 7200) * kUs;
      }
    }
  }
}

}  // namespace
}  // namespace mlw
