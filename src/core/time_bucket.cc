#include "core/time_bucket.h"

#include <date/tz.h>

#include <algorithm>
#include <limits>

#include "core/timestamp.h"

namespace mlw {
namespace {

using date::days;
using date::local_days;
using date::local_seconds;
using date::sys_seconds;
using std::chrono::seconds;

constexpr int64_t kUs = 1'000'000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The start of the period containing local second `l`, in local seconds.
int64_t FloorLocal(int64_t l, Period p) {
  int64_t d = FloorDiv(l, 86400);
  switch (p) {
    case Period::kHourly:
      return FloorDiv(l, 3600) * 3600;
    case Period::kDaily:
      return d * 86400;
    case Period::kWeekly: {
      // 1970-01-01 was a Thursday: Monday-based weekday index is (d + 3) mod 7.
      int64_t since_monday = ((d + 3) % 7 + 7) % 7;
      return (d - since_monday) * 86400;
    }
    default:
      break;
  }
  date::year_month_day ymd{date::sys_days{days{d}}};
  unsigned m = unsigned(ymd.month());
  if (p == Period::kQuarterly) m = (m - 1) / 3 * 3 + 1;
  if (p == Period::kYearly) m = 1;
  date::year_month_day first{ymd.year(), date::month{m}, date::day{1}};
  return date::sys_days(first).time_since_epoch().count() * int64_t{86400};
}

// The start of the period after the one starting at local second `start`.
int64_t NextLocal(int64_t start, Period p) {
  switch (p) {
    case Period::kHourly:
      return start + 3600;
    case Period::kDaily:
      return start + 86400;
    case Period::kWeekly:
      return start + 7 * 86400;
    default:
      break;
  }
  date::year_month_day ymd{date::sys_days{days{FloorDiv(start, 86400)}}};
  date::months step{p == Period::kMonthly ? 1 : p == Period::kQuarterly ? 3 : 12};
  date::year_month_day next = ymd + step;
  return date::sys_days(next).time_since_epoch().count() * int64_t{86400};
}

// All instants (UTC seconds) at which local time `l` is a boundary: one, two (repeated by a
// fall-back) or, inside a gap, the gap's end.
int CandidateInstants(const date::time_zone* tz, int64_t l, int64_t out[2]) {
  date::local_info li = tz->get_info(local_seconds{seconds{l}});
  switch (li.result) {
    case date::local_info::unique:
      out[0] = l - li.first.offset.count();
      return 1;
    case date::local_info::nonexistent:
      out[0] = li.second.begin.time_since_epoch().count();
      return 1;
    default:
      out[0] = l - li.first.offset.count();
      out[1] = l - li.second.offset.count();
      return 2;
  }
}

}  // namespace

const char* PeriodName(Period period) {
  switch (period) {
    case Period::kHourly:
      return "hourly";
    case Period::kDaily:
      return "daily";
    case Period::kWeekly:
      return "weekly";
    case Period::kMonthly:
      return "monthly";
    case Period::kQuarterly:
      return "quarterly";
    case Period::kYearly:
      return "yearly";
  }
  return "?";
}

Result<Period> ParsePeriod(std::string_view name) {
  for (Period p : {Period::kHourly, Period::kDaily, Period::kWeekly, Period::kMonthly,
                   Period::kQuarterly, Period::kYearly}) {
    if (name == PeriodName(p)) return p;
  }
  return InvalidArgument("unknown period '" + std::string(name.substr(0, 32)) +
                         "'; expected hourly, daily, weekly, monthly, quarterly or yearly");
}

Result<TimeZone> TimeZone::Find(std::string_view iana_name) {
  if (iana_name.empty())
    return InvalidArgument("timezone is empty; expected an IANA name such as Europe/London");
  try {
    return TimeZone(date::locate_zone(iana_name));
  } catch (const std::exception&) {
    return InvalidArgument("unknown timezone '" + std::string(iana_name.substr(0, 64)) +
                           "'; expected an IANA name such as Europe/London or UTC");
  }
}

TimeZone TimeZone::Utc() {
  static const date::time_zone* utc = date::locate_zone("UTC");
  return TimeZone(utc);
}

std::string TimeZone::name() const { return std::string(tz_->name()); }

int TimeZone::OffsetSecondsAt(int64_t micros) const {
  sys_seconds s{seconds{FloorDiv(micros, kUs)}};
  return static_cast<int>(tz_->get_info(s).offset.count());
}

int64_t TimeZone::LocalSecondsToMicros(int64_t local_seconds_value) const {
  int64_t c[2];
  CandidateInstants(tz_, local_seconds_value, c);
  return c[0] * kUs;
}

std::string TimeZone::Format(int64_t micros) const {
  return FormatRfc3339(micros, OffsetSecondsAt(micros));
}

Bucket Bucketer::BucketOf(int64_t micros) {
  if (micros >= last_.start_us && micros < last_.end_us) return last_;
  last_ = Find(micros);
  return last_;
}

Bucket Bucketer::Find(int64_t micros) {
  int64_t sec = FloorDiv(micros, kUs);
  if (sec < info_begin_ || sec >= info_end_) {
    date::sys_info info = zone_.tz()->get_info(sys_seconds{seconds{sec}});
    info_begin_ = info.begin.time_since_epoch().count();
    info_end_ = info.end.time_since_epoch().count();
    info_offset_ = info.offset.count();
  }
  // Fast path: both boundaries lie inside the cached offset interval, so no transition interferes.
  int64_t lf = FloorLocal(sec + info_offset_, period_);
  int64_t start = lf - info_offset_;
  int64_t end = NextLocal(lf, period_) - info_offset_;
  if (start >= info_begin_ && end < info_end_) return Bucket{start * kUs, end * kUs};
  return Slow(sec);
}

// The latest boundary <= sec and the earliest boundary > sec, from the candidate instants of the
// local period start containing sec and of the next one. The next one matters for both ends: a
// fall-back larger than what is left of the period (Chatham's 03:45 -> 02:45) shows the next
// boundary's wall time before `sec` and again after it.
Bucket Bucketer::Slow(int64_t sec) const {
  const date::time_zone* tz = zone_.tz();
  int64_t offset = tz->get_info(sys_seconds{seconds{sec}}).offset.count();
  int64_t lf = FloorLocal(sec + offset, period_);
  int64_t c[4];
  int n = CandidateInstants(tz, lf, c);
  n += CandidateInstants(tz, NextLocal(lf, period_), c + n);
  int64_t start = std::numeric_limits<int64_t>::min();
  int64_t end = std::numeric_limits<int64_t>::max();
  for (int i = 0; i < n; ++i) {
    if (c[i] <= sec) start = std::max(start, c[i]);
    if (c[i] > sec) end = std::min(end, c[i]);
  }
  return Bucket{start * kUs, end * kUs};
}

}  // namespace mlw
