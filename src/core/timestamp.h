// RFC 3339 timestamps (DESIGN.md: "Timestamps are RFC 3339 with offset") to and from microseconds
// since the Unix epoch. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace mlw {

struct ParsedTimestamp {
  int64_t micros = 0;      // the instant, UTC
  int offset_seconds = 0;  // the offset written in the text ("Z" is 0)
};

// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, 'T'/'t'/' ' as separator, 'Z'/'z'; the
// fraction is truncated to microseconds. Rejects a missing offset (a local time is ambiguous),
// out-of-range fields (Feb 30, 24:00, minute 60; a leap second :60 is rejected too), and years
// outside 0001-9999. The error message says what is wrong.
Result<ParsedTimestamp> ParseRfc3339(std::string_view text);

// Formats `micros` as RFC 3339 at `offset_seconds` ("Z" for 0), with a fraction only when the
// instant has one (e.g. "2024-03-10T00:00:00-05:00", "2024-03-10T05:00:00.250Z").
std::string FormatRfc3339(int64_t micros, int offset_seconds = 0);

// Parses a calendar date `YYYY-MM-DD`; returns days since 1970-01-01.
Result<int64_t> ParseIsoDate(std::string_view text);

}  // namespace mlw
