#include "core/timestamp.h"

#include <date/date.h>

#include <cstdio>

namespace mlw {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// Reads exactly `n` digits at `pos`; false if any is not a digit.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

Status Bad(std::string_view text, std::string_view why) {
  return InvalidArgument("'" + std::string(text.substr(0, 64)) +
                         "' is not an RFC 3339 timestamp: " + std::string(why));
}

// Validates and converts a civil date; false if it does not exist.
bool CivilDays(int y, int m, int d, int64_t* days) {
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  *days = date::sys_days(ymd).time_since_epoch().count();
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

Result<ParsedTimestamp> ParseRfc3339(std::string_view text) {
  int y, mo, d, h, mi, s;
  if (!Digits(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2, &mo) ||
      text[7] != '-' || !Digits(text, 8, 2, &d)) {
    return Bad(text, "expected YYYY-MM-DD at the start");
  }
  if (text.size() < 19 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) {
    return Bad(text, "expected 'T' and a time HH:MM:SS after the date");
  }
  if (!Digits(text, 11, 2, &h) || text[13] != ':' || !Digits(text, 14, 2, &mi) || text[16] != ':' ||
      !Digits(text, 17, 2, &s)) {
    return Bad(text, "expected time HH:MM:SS");
  }
  if (y < 1) return Bad(text, "year out of range");
  int64_t days;
  if (mo < 1 || mo > 12 || !CivilDays(y, mo, d, &days)) return Bad(text, "no such date");
  if (h > 23 || mi > 59 || s > 59) return Bad(text, "time of day out of range");
  size_t pos = 19;
  int64_t frac_us = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac_us += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return Bad(text, "expected digits after '.'");
  }
  if (pos >= text.size()) return Bad(text, "missing UTC offset (Z or ±HH:MM)");
  int offset = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh, om;
    if (!Digits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !Digits(text, pos + 4, 2, &om)) {
      return Bad(text, "expected offset ±HH:MM");
    }
    if (oh > 23 || om > 59) return Bad(text, "offset out of range");
    offset = (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return Bad(text, "expected Z or ±HH:MM after the time");
  }
  if (pos != text.size()) return Bad(text, "unexpected characters after the offset");
  int64_t local_s = days * 86400 + h * 3600 + mi * 60 + s;
  return ParsedTimestamp{(local_s - offset) * kMicrosPerSecond + frac_us, offset};
}

std::string FormatRfc3339(int64_t micros, int offset_seconds) {
  int64_t local_us = micros + int64_t{offset_seconds} * kMicrosPerSecond;
  int64_t secs = FloorDiv(local_us, kMicrosPerSecond);
  int64_t frac = local_us - secs * kMicrosPerSecond;
  int64_t days = FloorDiv(secs, 86400);
  int64_t sod = secs - days * 86400;
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(sod / 3600),
                        int(sod / 60 % 60), int(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  if (offset_seconds == 0) {
    out += 'Z';
  } else {
    int a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
    // RFC 3339 offsets have minutes only; historical second-offsets are rounded down.
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_seconds < 0 ? '-' : '+', a / 3600,
                  a / 60 % 60);
    out += buf;
  }
  return out;
}

Result<int64_t> ParseIsoDate(std::string_view text) {
  int y, m, d;
  if (text.size() != 10 || !Digits(text, 0, 4, &y) || text[4] != '-' || !Digits(text, 5, 2, &m) ||
      text[7] != '-' || !Digits(text, 8, 2, &d)) {
    return InvalidArgument("'" + std::string(text.substr(0, 64)) + "' is not a date YYYY-MM-DD");
  }
  int64_t days;
  if (y < 1 || m < 1 || m > 12 || !CivilDays(y, m, d, &days)) {
    return InvalidArgument("'" + std::string(text) + "' is not a valid calendar date");
  }
  return days;
}

}  // namespace mlw
