#include "cron/cron_expr.h"

#include <gtest/gtest.h>

#include "core/timestamp.h"

namespace vigil::cron {
namespace {

int64_t Iso(std::string_view s) { return ParseTimestampString(s).value(); }

std::string NextIso(std::string_view expr, std::string_view after, std::string_view tz = "UTC") {
  Result<CronExpr> e = CronExpr::Parse(expr, tz);
  EXPECT_TRUE(e.ok()) << expr << ": " << e.status().ToString();
  if (!e.ok()) return "";
  std::optional<int64_t> n = e->Next(Iso(after));
  return n ? FormatIsoMillis(*n) : "never";
}

TEST(CronExprTest, FieldsRangesStepsLists) {
  // 2026-01-02 is a Friday.
  EXPECT_EQ(NextIso("*/15 9-17 * * MON-FRI", "2026-01-02T17:50:00Z"), "2026-01-05T09:00:00.000Z");
  EXPECT_EQ(NextIso("*/15 9-17 * * MON-FRI", "2026-01-05T09:00:00Z"), "2026-01-05T09:15:00.000Z");
  EXPECT_EQ(NextIso("5,35 */6 * * *", "2026-01-01T06:06:00Z"), "2026-01-01T06:35:00.000Z");
  EXPECT_EQ(NextIso("5,35 */6 * * *", "2026-01-01T06:35:00Z"), "2026-01-01T12:05:00.000Z");
  EXPECT_EQ(NextIso("10/20 * * * *", "2026-01-01T00:31:00Z"), "2026-01-01T00:50:00.000Z");
  EXPECT_EQ(NextIso("0 0 1-10/3 * *", "2026-01-02T00:00:00Z"), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(NextIso("* * * * *", "2026-01-01T00:00:30.5Z"), "2026-01-01T00:01:00.000Z");
}

TEST(CronExprTest, NamesAndSundaySeven) {
  EXPECT_EQ(NextIso("0 0 * jul sun", "2026-01-01T00:00:00Z"), "2026-07-05T00:00:00.000Z");
  EXPECT_EQ(NextIso("0 0 * * 7", "2026-01-01T00:00:00Z"), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(NextIso("0 0 * * 0", "2026-01-01T00:00:00Z"), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(NextIso("0 12 * JAN-MAR/2 *", "2026-01-31T13:00:00Z"), "2026-03-01T12:00:00.000Z");
}

TEST(CronExprTest, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  // 13th of the month or any Friday (2026-02-06 and 2026-02-13 are Fridays).
  EXPECT_EQ(NextIso("0 0 13 * FRI", "2026-02-01T00:00:00Z"), "2026-02-06T00:00:00.000Z");
  EXPECT_EQ(NextIso("0 0 12 * FRI", "2026-02-06T00:00:00Z"), "2026-02-12T00:00:00.000Z");
  // With one of them '*', both must match: Fridays only.
  EXPECT_EQ(NextIso("0 0 * * FRI", "2026-02-06T00:00:00Z"), "2026-02-13T00:00:00.000Z");
}

TEST(CronExprTest, Macros) {
  EXPECT_EQ(NextIso("@hourly", "2026-01-01T10:30:00Z"), "2026-01-01T11:00:00.000Z");
  EXPECT_EQ(NextIso("@daily", "2026-01-01T10:30:00Z"), "2026-01-02T00:00:00.000Z");
  EXPECT_EQ(NextIso("@midnight", "2026-01-01T10:30:00Z"), "2026-01-02T00:00:00.000Z");
  EXPECT_EQ(NextIso("@weekly", "2026-01-01T10:30:00Z"), "2026-01-04T00:00:00.000Z");
  EXPECT_EQ(NextIso("@monthly", "2026-01-01T10:30:00Z"), "2026-02-01T00:00:00.000Z");
  EXPECT_EQ(NextIso("@yearly", "2026-01-01T10:30:00Z"), "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(NextIso("@annually", "2026-01-01T10:30:00Z"), "2027-01-01T00:00:00.000Z");
}

TEST(CronExprTest, LeapDayAndNever) {
  EXPECT_EQ(NextIso("0 0 29 2 *", "2026-01-01T00:00:00Z"), "2028-02-29T00:00:00.000Z");
  EXPECT_EQ(NextIso("0 0 30 2 *", "2026-01-01T00:00:00Z"), "never");
}

TEST(CronExprTest, TimeZone) {
  // Berlin is UTC+1 in winter, UTC+2 in summer.
  EXPECT_EQ(NextIso("0 2 * * *", "2026-01-10T00:00:00Z", "Europe/Berlin"), "2026-01-10T01:00:00.000Z");
  EXPECT_EQ(NextIso("0 2 * * *", "2026-07-10T00:00:00Z", "Europe/Berlin"), "2026-07-11T00:00:00.000Z");
  EXPECT_EQ(NextIso("CRON_TZ=Europe/Berlin 0 9 * * *", "2026-01-10T00:00:00Z"), "2026-01-10T08:00:00.000Z");
  EXPECT_EQ(NextIso("TZ=America/New_York 0 9 * * *", "2026-01-10T00:00:00Z"), "2026-01-10T14:00:00.000Z");
}

TEST(CronExprTest, DstSpringForwardFiresAtTheTransition) {
  // 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z): 02:30 does not exist that day.
  EXPECT_EQ(NextIso("30 2 * * *", "2026-03-28T12:00:00Z", "Europe/Berlin"), "2026-03-29T01:00:00.000Z");
  EXPECT_EQ(NextIso("30 2 * * *", "2026-03-29T01:00:00Z", "Europe/Berlin"), "2026-03-30T00:30:00.000Z");
  // Hourly: 01:00Z is 03:00 CEST, then 04:00 CEST.
  EXPECT_EQ(NextIso("0 * * * *", "2026-03-29T00:30:00Z", "Europe/Berlin"), "2026-03-29T01:00:00.000Z");
  EXPECT_EQ(NextIso("0 * * * *", "2026-03-29T01:00:00Z", "Europe/Berlin"), "2026-03-29T02:00:00.000Z");
  // 03:30 exists (CEST): 01:30Z.
  EXPECT_EQ(NextIso("30 3 * * *", "2026-03-28T12:00:00Z", "Europe/Berlin"), "2026-03-29T01:30:00.000Z");
}

TEST(CronExprTest, DstFallBackFiresOnce) {
  // 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z): 02:30 happens at 00:30Z and 01:30Z.
  EXPECT_EQ(NextIso("30 2 * * *", "2026-10-24T12:00:00Z", "Europe/Berlin"), "2026-10-25T00:30:00.000Z");
  EXPECT_EQ(NextIso("30 2 * * *", "2026-10-25T00:30:00Z", "Europe/Berlin"), "2026-10-26T01:30:00.000Z");
  // Every-hour schedules run in both passes: 02:45 CEST (00:45Z), then 02:00 CET (01:00Z).
  EXPECT_EQ(NextIso("*/15 * * * *", "2026-10-25T00:45:00Z", "Europe/Berlin"), "2026-10-25T01:00:00.000Z");
  EXPECT_EQ(NextIso("*/15 * * * *", "2026-10-25T00:50:00Z", "Europe/Berlin"), "2026-10-25T01:00:00.000Z");
  EXPECT_EQ(NextIso("*/15 * * * *", "2026-10-25T01:00:00Z", "Europe/Berlin"), "2026-10-25T01:15:00.000Z");
  EXPECT_EQ(NextIso("*/15 * * * *", "2026-10-25T01:45:00Z", "Europe/Berlin"), "2026-10-25T02:00:00.000Z");
  EXPECT_EQ(NextIso("30 * * * *", "2026-10-25T00:30:00Z", "Europe/Berlin"), "2026-10-25T01:30:00.000Z");
  // A day is 25 hours long: midnight to midnight.
  EXPECT_EQ(NextIso("0 0 * * *", "2026-10-24T22:00:00Z", "Europe/Berlin"), "2026-10-25T23:00:00.000Z");
}

TEST(CronExprTest, Errors) {
  auto err = [](std::string_view text, std::string_view tz = "UTC") {
    Result<CronExpr> e = CronExpr::Parse(text, tz);
    EXPECT_FALSE(e.ok()) << text;
    return e.ok() ? std::string() : e.status().message();
  };
  EXPECT_NE(err("61 * * * *").find("minute field '61': 61 is outside 0-59"), std::string::npos);
  EXPECT_NE(err("* * *").find("5 fields"), std::string::npos);
  EXPECT_NE(err("* * * * * *").find("got 6"), std::string::npos);
  EXPECT_NE(err("*/0 * * * *").find("step"), std::string::npos);
  EXPECT_NE(err("5-1 * * * *").find("backwards"), std::string::npos);
  EXPECT_NE(err("0 0 * FOO *").find("month field"), std::string::npos);
  EXPECT_NE(err("0 0 * * 8").find("day-of-week field"), std::string::npos);
  EXPECT_NE(err("0 0 0 * *").find("day-of-month field"), std::string::npos);
  EXPECT_NE(err("1,,2 * * * *").find("empty list item"), std::string::npos);
  EXPECT_NE(err("@reboot").find("unknown cron macro"), std::string::npos);
  EXPECT_NE(err("0 0 * * *", "Mars/Olympus").find("unknown time zone 'Mars/Olympus'"), std::string::npos);
  EXPECT_NE(err("").find("5 fields"), std::string::npos);
}

}  // namespace
}  // namespace vigil::cron
