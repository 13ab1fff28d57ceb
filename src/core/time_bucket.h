// Period buckets (hourly, daily, ISO weekly from Monday, monthly, quarterly, yearly) in a user's
// IANA timezone, over the system tz database (howardhinnant date/tz.h).
//
// A bucket is the half-open interval of instants [start, end) between two consecutive boundaries.
// An instant is a boundary when its local wall time (at that instant's own UTC offset) starts a
// period (xx:00:00 for hours, midnight for days, Monday midnight for weeks, the 1st for months,
// Jan/Apr/Jul/Oct 1st for quarters, Jan 1st for years). When a daylight-saving gap swallows a
// boundary (Lord Howe's 02:00 that jumps to 02:30), the first instant after the gap is the
// boundary instead. Buckets therefore partition time, and a local day lasts 23, 24 or 25 hours
// (23.5/24.5 on Lord Howe); after a fall-back the repeated local hour forms its own hourly bucket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace date {
class time_zone;
}

namespace mlw {

enum class Period { kHourly, kDaily, kWeekly, kMonthly, kQuarterly, kYearly };

// "hourly", "daily", "weekly", "monthly", "quarterly", "yearly".
const char* PeriodName(Period period);
Result<Period> ParsePeriod(std::string_view name);

struct Bucket {
  int64_t start_us = 0;  // inclusive
  int64_t end_us = 0;    // exclusive
  bool operator==(const Bucket&) const = default;
};

// An IANA timezone. Cheap to copy; refers to the process-wide tz database.
class TimeZone {
 public:
  // "UTC" or an IANA name such as "Europe/London"; kInvalidArgument for unknown names.
  static Result<TimeZone> Find(std::string_view iana_name);
  static TimeZone Utc();

  std::string name() const;
  // UTC offset in seconds in effect at `micros`.
  int OffsetSecondsAt(int64_t micros) const;
  // The instant of a local wall time given as seconds since 1970-01-01T00:00 local. A time in a
  // DST gap maps to the first instant after the gap; a repeated time maps to its first occurrence.
  int64_t LocalSecondsToMicros(int64_t local_seconds) const;
  // RFC 3339 text of `micros` at this zone's offset.
  std::string Format(int64_t micros) const;

  const date::time_zone* tz() const { return tz_; }

 private:
  explicit TimeZone(const date::time_zone* tz) : tz_(tz) {}
  const date::time_zone* tz_;
};

// Finds buckets for one (zone, period). Caches the last bucket found and the zone's current
// UTC-offset interval, so that successive calls for nearby instants cost a comparison or a little
// arithmetic. Not thread-safe: use one per thread. Valid for instants in years 1..9999.
class Bucketer {
 public:
  Bucketer(TimeZone zone, Period period) : zone_(zone), period_(period) {}

  Bucket BucketOf(int64_t micros);
  Period period() const { return period_; }
  const TimeZone& zone() const { return zone_; }

 private:
  Bucket Find(int64_t micros);
  Bucket Slow(int64_t sec) const;

  TimeZone zone_;
  Period period_;
  // Cached [begin, end) UTC seconds of the offset interval last used, and its offset.
  int64_t info_begin_ = 1;
  int64_t info_end_ = 0;
  int64_t info_offset_ = 0;
  // The bucket last returned; empty until the first call. Buckets partition time, so an instant
  // inside it has it as its bucket.
  Bucket last_{0, 0};
};

}  // namespace mlw
