// CronExpr: a standard 5-field cron expression evaluated in a time zone.
//
//   minute hour day-of-month month day-of-week
//   "*/15 9-17 * * MON-FRI"   "0 2 1,15 * *"   "@daily"   "CRON_TZ=Europe/Berlin 30 2 * * *"
//
// Each field is a comma list of `*`, `N`, `N-M`, any of those with `/STEP`, and `N/STEP`
// (N to the field's maximum). Months take JAN..DEC, weekdays SUN..SAT (0 and 7 are both
// Sunday); names ignore case. The macros @yearly @annually @monthly @weekly @daily
// @midnight @hourly stand for their usual expansions. As in Vixie cron, when both
// day-of-month and day-of-week are restricted (neither starts with `*`), a day matches
// if either field does.
//
// Daylight saving time: fire times are wall-clock times in the zone. A time that does not
// exist (the hour skipped when clocks go forward) fires at the transition instant; a
// time that exists twice (clocks go back) fires once, at its first occurrence — except
// in a schedule for every hour (hour field `*`), which runs in both passes, as Vixie
// cron does.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include "core/status.h"

namespace vigil::cron {

class CronExpr {
 public:
  // Parses `text` for zone `tz` (an IANA name such as "Europe/Berlin"; "" or "UTC" is
  // UTC). A `CRON_TZ=<zone>` or `TZ=<zone>` prefix in the text overrides `tz`.
  // Returns InvalidArgument naming the bad field or zone.
  static Result<CronExpr> Parse(std::string_view text, std::string_view tz = "UTC");

  // The first fire time strictly after `after_ns` (ns since the epoch), or nullopt when
  // the expression never fires (e.g. "0 0 30 2 *"). Thread-safe.
  std::optional<int64_t> Next(int64_t after_ns) const;

  const std::string& text() const { return text_; }
  const std::string& zone_name() const { return zone_name_; }

 private:
  bool DayMatches(const cctz::civil_day& d) const;
  bool Matches(const cctz::civil_minute& m) const;
  std::optional<int64_t> WalkCivil(const cctz::time_point<cctz::seconds>& after, int64_t after_ns) const;

  std::string text_;
  std::string zone_name_;
  cctz::time_zone zone_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;    // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool dom_star_ = false;
  bool dow_star_ = false;
};

// Loads an IANA time zone ("UTC" and "" are UTC). InvalidArgument when unknown.
Result<cctz::time_zone> LoadZone(std::string_view name);

}  // namespace vigil::cron
