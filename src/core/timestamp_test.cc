#include "core/timestamp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

namespace vigil {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSec = 1'000'000'000;
// 2026-01-01T00:00:00Z, the generator's start.
constexpr int64_t k2026 = 1'767'225'600 * kSec;

int64_t Parse(std::string_view s) {
  auto r = ParseTimestampString(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? r.value() : 0;
}

std::string ParseError(std::string_view s) {
  auto r = ParseTimestampString(s);
  EXPECT_FALSE(r.ok()) << s << " parsed as " << (r.ok() ? r.value() : 0);
  return r.status().message();
}

TEST(CivilTest, KnownDays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 1, 1), 10957);
  EXPECT_EQ(DaysFromCivil(2000, 2, 29), 11016);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(2026, 1, 1), 20454);
  EXPECT_EQ(DaysFromCivil(1900, 3, 1) - DaysFromCivil(1900, 2, 28), 1);  // 1900 not leap
}

TEST(CivilTest, RoundTripsAcrossEveryDayOfManyCenturies) {
  CivilDate prev = CivilFromDays(DaysFromCivil(1600, 1, 1) - 1);
  for (int64_t d = DaysFromCivil(1600, 1, 1); d <= DaysFromCivil(2500, 12, 31); ++d) {
    CivilDate c = CivilFromDays(d);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
    bool next_day = c.year == prev.year && c.month == prev.month && c.day == prev.day + 1;
    bool next_month = c.year == prev.year && c.month == prev.month + 1 && c.day == 1 &&
                      prev.day == DaysInMonth(prev.year, prev.month);
    bool next_year = c.year == prev.year + 1 && c.month == 1 && c.day == 1 && prev.month == 12 &&
                     prev.day == 31;
    ASSERT_TRUE(next_day || next_month || next_year) << d;
    prev = c;
  }
}

TEST(CivilTest, LeapYears) {
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_FALSE(IsLeapYear(2026));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2026, 2), 28);
  EXPECT_EQ(DaysInMonth(2026, 4), 30);
}

TEST(ParseTimestampTest, Rfc3339Forms) {
  int64_t want = k2026 + (47 * 60 + 17) * kSec + 632 * kMs;
  EXPECT_EQ(Parse("2026-01-01T00:47:17.632Z"), want);
  EXPECT_EQ(Parse("2026-01-01 00:47:17.632Z"), want);
  EXPECT_EQ(Parse("2026-01-01t00:47:17.632z"), want);
  EXPECT_EQ(Parse("2026-01-01T00:47:17.632"), want);  // no zone: UTC
  EXPECT_EQ(Parse("2026-01-01T02:47:17.632+02:00"), want);
  EXPECT_EQ(Parse("2026-01-01T02:47:17.632+0200"), want);
  EXPECT_EQ(Parse("2026-01-01T02:47:17.632+02"), want);
  EXPECT_EQ(Parse("2025-12-31T19:17:17.632-05:30"), want);
  EXPECT_EQ(Parse("2026-01-01 00:47:17.632 +00:00"), want);
  EXPECT_EQ(Parse("2026-01-01T00:47:17,632Z"), want);  // ISO 8601 decimal comma
  EXPECT_EQ(Parse("  2026-01-01T00:47:17.632Z "), want);
  EXPECT_EQ(Parse("2026-01-01T00:47Z"), k2026 + 47 * 60 * kSec);
  EXPECT_EQ(Parse("2026-01-01"), k2026);
  EXPECT_EQ(Parse("2026-01-01T00:00:00.000000+00:00"), k2026);  // Python isoformat()
}

TEST(ParseTimestampTest, FractionDigits) {
  const char* kFractions[] = {"1", "12", "123", "1234", "12345", "123456", "1234567",
                              "12345678", "123456789"};
  const int64_t kNanos[] = {100000000, 120000000, 123000000, 123400000, 123450000,
                            123456000, 123456700, 123456780, 123456789};
  for (int i = 0; i < 9; ++i)
    EXPECT_EQ(Parse(std::string("2026-01-01T00:00:00.") + kFractions[i] + "Z"), k2026 + kNanos[i])
        << kFractions[i];
  // Beyond nanoseconds: truncated, not rejected.
  EXPECT_EQ(Parse("2026-01-01T00:00:00.1234567899Z"), k2026 + 123456789);
}

TEST(ParseTimestampTest, OffsetsCrossMidnightAndYears) {
  EXPECT_EQ(Parse("2026-01-01T01:30:00+02:00"), k2026 - 30 * 60 * kSec);
  EXPECT_EQ(Parse("2025-12-31T23:30:00-01:00"), k2026 + 30 * 60 * kSec);
  EXPECT_EQ(FormatIsoMillis(Parse("2024-03-01T00:30:00+01:00")), "2024-02-29T23:30:00.000Z");
  EXPECT_EQ(FormatIsoMillis(Parse("2023-02-28T23:30:00-01:00")), "2023-03-01T00:30:00.000Z");
}

TEST(ParseTimestampTest, SpecialYears) {
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("1969-12-31T23:59:59.999999999Z"), -1);
  EXPECT_EQ(Parse("2038-01-19T03:14:07Z"), int64_t{2147483647} * kSec);
  EXPECT_EQ(Parse("2038-01-19T03:14:08Z"), int64_t{2147483648} * kSec);
  EXPECT_EQ(Parse("2024-02-29T12:00:00Z"), (DaysFromCivil(2024, 2, 29) * 86400 + 43200) * kSec);
  EXPECT_EQ(Parse("2262-04-11T23:47:16.854775807Z"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Parse("1677-09-21T00:12:43.145224192Z"), std::numeric_limits<int64_t>::min());
  EXPECT_THAT(ParseError("2262-04-11T23:47:16.854775808Z"), HasSubstr("out of range"));
  EXPECT_THAT(ParseError("9999-12-31T23:59:59Z"), HasSubstr("out of range"));
  EXPECT_THAT(ParseError("0001-01-01T00:00:00Z"), HasSubstr("out of range"));
}

TEST(ParseTimestampTest, LeapSecondLandsOnNextSecond) {
  EXPECT_EQ(Parse("2016-12-31T23:59:60Z"), Parse("2017-01-01T00:00:00Z"));
}

TEST(ParseTimestampTest, RejectsInvalidDatesWithReason) {
  EXPECT_THAT(ParseError("2026-02-30T00:00:00Z"), HasSubstr("day 30 out of range for 2026-02"));
  EXPECT_THAT(ParseError("2025-02-29"), HasSubstr("day 29 out of range for 2025-02"));
  EXPECT_THAT(ParseError("2026-04-31"), HasSubstr("day 31 out of range"));
  EXPECT_THAT(ParseError("2026-00-10"), HasSubstr("month 0 out of range"));
  EXPECT_THAT(ParseError("2026-13-01T00:00:00Z"), HasSubstr("month 13 out of range"));
  EXPECT_THAT(ParseError("2026-01-01T24:00:00Z"), HasSubstr("hour 24 out of range"));
  EXPECT_THAT(ParseError("2026-01-01T23:60:00Z"), HasSubstr("minute 60 out of range"));
  EXPECT_THAT(ParseError("2026-01-01T23:59:61Z"), HasSubstr("second 61 out of range"));
  EXPECT_THAT(ParseError("2026-01-01T00:00:00Zjunk"), HasSubstr("unexpected \"junk\""));
  EXPECT_THAT(ParseError("2026-01-01T00:00:00.Z"), HasSubstr("digits after the decimal point"));
  EXPECT_THAT(ParseError("2026-01-01T00:00:00+24:00"), HasSubstr("offset out of range"));
  EXPECT_THAT(ParseError("2026-01-01X00:00:00"), HasSubstr("expected 'T'"));
  EXPECT_THAT(ParseError("2026-1-01"), HasSubstr("2-digit month"));
  EXPECT_THAT(ParseError("2026-01-01T1:00"), HasSubstr("2-digit hour"));
  EXPECT_THAT(ParseError("2026-01-01T10"), HasSubstr("expected ':' after the hour"));
  EXPECT_THAT(ParseError(""), HasSubstr("empty"));
  EXPECT_THAT(ParseError("yesterday"), HasSubstr("expected RFC 3339"));
  EXPECT_THAT(ParseError("12:00:00"), HasSubstr("expected RFC 3339"));
  EXPECT_THAT(ParseError("1767225600abc"), HasSubstr("\"1767225600abc\""));
}

TEST(ParseTimestampTest, NumericStrings) {
  EXPECT_EQ(Parse("1767225600"), k2026);
  EXPECT_EQ(Parse("1767225600632"), k2026 + 632 * kMs);
  EXPECT_EQ(Parse("1767225600632123"), k2026 + 632123000);
  EXPECT_EQ(Parse("1767225600632123456"), k2026 + 632123456);
  EXPECT_EQ(Parse("1767225600.123456789"), k2026 + 123456789);  // exact, no double
  EXPECT_EQ(Parse("1767225600632.5"), k2026 + 632 * kMs + 500000);
  EXPECT_EQ(Parse("-1"), -kSec);
  EXPECT_EQ(Parse("-1.5"), -kSec - kSec / 2);
  EXPECT_EQ(Parse("1.7672256e9"), k2026);
  EXPECT_THAT(ParseError("99999999999999999999"), HasSubstr("out of range"));
}

TEST(EpochNumberTest, UnitHeuristicsForIntegers) {
  EXPECT_EQ(EpochNumberToNs(int64_t{0}), 0);
  EXPECT_EQ(EpochNumberToNs(int64_t{1767225600}), k2026);
  EXPECT_EQ(EpochNumberToNs(int64_t{9'000'000'000}), int64_t{9'000'000'000} * kSec);
  EXPECT_EQ(EpochNumberToNs(int64_t{100'000'000'000}), int64_t{100'000'000'000} * kMs);
  EXPECT_EQ(EpochNumberToNs(int64_t{1767225600632}), k2026 + 632 * kMs);
  EXPECT_EQ(EpochNumberToNs(int64_t{1767225600632123}), k2026 + 632123000);
  EXPECT_EQ(EpochNumberToNs(int64_t{1767225600632123456}), k2026 + 632123456);
  EXPECT_EQ(EpochNumberToNs(int64_t{-1}), -kSec);
  EXPECT_EQ(EpochNumberToNs(int64_t{-1767225600632}), -(k2026 + 632 * kMs));
}

TEST(EpochNumberTest, SaturatesOutsideInt64) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  // Seconds past 2262 do not fit: 99'999'999'999 s is year 5138.
  EXPECT_EQ(EpochNumberToNs(int64_t{99'999'999'999}), kMax);
  EXPECT_EQ(EpochNumberToNs(int64_t{-99'999'999'999}), kMin);
  EXPECT_EQ(EpochNumberToNs(kMin), kMin);
  EXPECT_EQ(EpochNumberToNs(kMax), kMax);
  EXPECT_EQ(EpochNumberToNs(99'999'999'999.0), kMax);
  EXPECT_EQ(EpochNumberToNs(1e30), kMax);
  EXPECT_EQ(EpochNumberToNs(-1e30), kMin);
  EXPECT_EQ(EpochNumberToNs(std::numeric_limits<double>::quiet_NaN()), 0);
}

TEST(EpochNumberTest, FloatsKeepTheirFraction) {
  EXPECT_EQ(EpochNumberToNs(1767225600.632), k2026 + 632 * kMs);
  EXPECT_EQ(EpochNumberToNs(1767225600.000001), k2026 + 1000);
  EXPECT_EQ(EpochNumberToNs(1767225600632.25), k2026 + 632 * kMs + 250000);
  EXPECT_EQ(EpochNumberToNs(1767225600632123.5), k2026 + 632123500);
  EXPECT_EQ(EpochNumberToNs(-1.25), -kSec - kSec / 4);
  EXPECT_EQ(EpochNumberToNs(0.5), kSec / 2);
}

TEST(FormatTest, IsoMillis) {
  EXPECT_EQ(FormatIsoMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMillis(k2026 + (47 * 60 + 17) * kSec + 632 * kMs + 999),
            "2026-01-01T00:47:17.632Z");
  EXPECT_EQ(FormatIsoMillis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoMillis(-kSec - kSec / 2), "1969-12-31T23:59:58.500Z");
  EXPECT_EQ(FormatIsoMillis(Parse("1900-03-01T12:34:56.789Z")), "1900-03-01T12:34:56.789Z");
  EXPECT_EQ(FormatIsoMillis(std::numeric_limits<int64_t>::max()), "2262-04-11T23:47:16.854Z");
  EXPECT_EQ(FormatIsoMillis(std::numeric_limits<int64_t>::min()), "1677-09-21T00:12:43.145Z");
}

TEST(FormatTest, Day) {
  EXPECT_EQ(FormatDay(k2026), "2026-01-01");
  EXPECT_EQ(FormatDay(k2026 - 1), "2025-12-31");
  EXPECT_EQ(FormatDay(-1), "1969-12-31");
  EXPECT_EQ(FormatDay(Parse("2024-02-29T23:59:59.999Z")), "2024-02-29");
  EXPECT_EQ(DayOfNanos(-1), -1);
  EXPECT_EQ(DayOfNanos(0), 0);
}

TEST(FormatTest, ParseFormatRoundTrip) {
  for (const char* s : {"2000-02-29T00:00:00.000Z", "1999-12-31T23:59:59.999Z",
                        "2038-01-19T03:14:07.001Z", "1969-07-20T20:17:40.000Z"})
    EXPECT_EQ(FormatIsoMillis(Parse(s)), s);
}

}  // namespace
}  // namespace vigil
