// MonitorSpec and Schedule: what a cron monitor expects of a job, and when.
//
// A spec comes from the `cron: monitors:` section of the config or from
// PUT /api/v1/cron/monitors/<job>; both give the same settings as text:
//   schedule: "0 2 * * *"  (a cron expression, cron/cron_expr.h)  or  interval: 10m
//   tz: Europe/Berlin      grace: 5m     max_runtime: 1h     failure_threshold: 2
// Durations are seconds ("90") or a number with a unit: ms, s, m, h, d.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "cron/cron_expr.h"

namespace vigil::cron {

inline constexpr int64_t kSecondNs = 1'000'000'000;

struct MonitorSpec {
  std::string job;
  std::string schedule;  // a cron expression; empty when interval_ns > 0
  std::string tz = "UTC";
  int64_t interval_ns = 0;
  int64_t grace_ns = 300 * kSecondNs;  // how late a start may be before the job is down
  int64_t max_runtime_ns = 0;          // 0: a run may take any time
  int failure_threshold = 1;           // consecutive failures that make the job failing
  std::string source = "api";          // "config", "api", or "checkin" (unscheduled)
};

// "90" (seconds), "1500ms", "90s", "5m", "2h", "1d" -> ns. InvalidArgument otherwise.
Result<int64_t> ParseDuration(std::string_view text);

// Builds a spec for `job` from settings given as text. Every problem is an
// InvalidArgument naming the setting (unknown settings included).
Result<MonitorSpec> ParseMonitorSpec(std::string job, const std::map<std::string, std::string>& settings);

// Whether `job` may name a job: 1..200 characters of [A-Za-z0-9_.:-].
Status CheckJobName(std::string_view job);

// When a job is due: the next fire time of its cron expression, or the last start plus
// its interval; never for an unscheduled spec (neither set: a job known only from its
// check-ins). Immutable; thread-safe.
class Schedule {
 public:
  static Result<Schedule> Make(const MonitorSpec& spec);
  // The first due time strictly after `after_ns`; INT64_MAX when never.
  int64_t NextDue(int64_t after_ns) const;
  // When the next start is due after a run that started at `start_ns`. A cron job that
  // started up to min(grace, half its period) early served the fire time it preceded, so
  // the one after that is next.
  int64_t DueAfterStart(int64_t start_ns, int64_t grace_ns) const;

 private:
  std::optional<CronExpr> cron_;
  int64_t interval_ns_ = 0;
};

}  // namespace vigil::cron
