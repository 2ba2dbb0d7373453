// Time conversions for event timestamps: int64 nanoseconds since the Unix epoch (UTC).
//
// Everything here is pure arithmetic on the proleptic Gregorian calendar: no locale, no
// TZ environment, no mktime/timegm, so results are identical on every host. Leap
// seconds do not exist in this time scale (as in Unix time). An int64 of nanoseconds
// covers 1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z; inputs
// outside that range are rejected (parsing) or saturated (epoch numbers).
//
// Thread-safety: all functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date (negative before 1970).
// REQUIRES: 1 <= month <= 12, 1 <= day <= DaysInMonth(year, month).
int64_t DaysFromCivil(int64_t year, int month, int day);

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};
// Inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t days);

bool IsLeapYear(int64_t year);
// REQUIRES: 1 <= month <= 12.
int DaysInMonth(int64_t year, int month);

// Parses an RFC 3339 / ISO 8601 timestamp into ns since the epoch:
//   2026-01-01T00:47:17.632Z    2026-01-01 00:47:17+02:00    2026-01-01T00:47
//   2026-01-01T00:47:17.123456789-0530    2026-01-01 (midnight UTC)
// 'T' may be a space or lowercase; the zone is Z/z, +HH:MM, +HHMM or +HH and is
// optional (absent means UTC). Fractional seconds take 1..9 digits; further digits are
// accepted and truncated (sub-nanosecond). Second 60 (a leap second) is accepted and
// lands on the next second, as Unix time does. Leading/trailing ASCII spaces are
// ignored. A plain number ("1767225600", "1767225600632", "1767225600.5", "-1") is read
// as an epoch number with EpochNumberToNs's unit heuristic, keeping every digit.
// Returns InvalidArgument naming the problem (e.g. "day 30 out of range for 2026-02")
// for anything else, including trailing text and instants outside the int64 range.
Result<int64_t> ParseTimestampString(std::string_view text);

// Converts an epoch number of unknown unit to ns. The unit is guessed from the
// magnitude, which is unambiguous for any instant between 1973 and 2286:
//   |v| < 1e11 -> seconds, < 1e14 -> milliseconds, < 1e17 -> microseconds, else ns.
// Results beyond the int64 range saturate to INT64_MIN/INT64_MAX (NaN gives 0).
int64_t EpochNumberToNs(int64_t v);
// As above. A double holds ~16 significant digits, so seconds and milliseconds keep
// their fraction to the microsecond (1767225600.632 -> ...600.632000000, not
// ...600.631999969 from the binary value); microseconds keep it to the nanosecond.
int64_t EpochNumberToNs(double v);

// "2026-01-01T00:47:17.632Z": UTC, milliseconds truncated toward the past (so -1 ns is
// "1969-12-31T23:59:59.999Z").
std::string FormatIsoMillis(int64_t ns);
// "2026-01-01": the UTC day containing `ns` (the partition key).
std::string FormatDay(int64_t ns);

// floor(ns / kNanosPerDay): the day number of an instant, correct before 1970.
int64_t DayOfNanos(int64_t ns);

}  // namespace vigil
