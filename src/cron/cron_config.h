// CronConfig: the `cron:` section of the server's YAML config (docs/api.md, "Cron").
//
//   cron:
//     fields:            # where log events keep a run's facts (these are the defaults)
//       job: job_name
//       status: status
//       duration_ms: duration_ms
//       error: error_message
//       tenant: db_name
//       run_id: run_id
//     success_values: [success, succeeded, ok]   # `status` strings meaning success
//     failure_values: [failure, failed, error]   # ... and failure (case-insensitive)
//     tick: 1s             # how often monitor states advance
//     default_range: 7d    # the views' time range when a query gives none
//     max_runs: 1000000    # runs one view query may read
//     duration_factor: 5   # too_long / too_short: beyond factor x the recent median
//     duration_history: 20 # ... of this many previous runs
//     duration_min_history: 5
//     monitors:
//       - job: nightly_billing
//         schedule: "0 2 * * *"
//         tz: Europe/Berlin
//         grace: 10m
//         max_runtime: 1h
//         failure_threshold: 2
//       - job: sync_email
//         interval: 5m
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "cron/run_flags.h"
#include "cron/schedule.h"

namespace vigil::cron {

struct CronFields {
  std::string job = "job_name";
  std::string status = "status";
  std::string duration_ms = "duration_ms";
  std::string error = "error_message";
  std::string tenant = "db_name";
  std::string run_id = "run_id";
};

struct CronConfig {
  CronFields fields;
  std::vector<std::string> success_values = {"success", "succeeded", "ok"};
  std::vector<std::string> failure_values = {"failure", "failed", "error"};
  int64_t tick_ns = kSecondNs;
  int64_t default_range_ns = int64_t{7} * 86400 * kSecondNs;
  size_t max_runs = 1'000'000;
  FlagRules flags;
  std::vector<MonitorSpec> monitors;  // source "config"
};

// Reads `root["cron"]` (absent: the defaults). InvalidArgument names the key and line.
Result<CronConfig> ParseCronConfig(const YAML::Node& root);

// A run outcome from a `status` string (case-insensitive): "success" for a success
// value or "success" itself, "failure" likewise, "timed_out", or "" when the text is none
// of these (the event is not a finished run).
std::string NormalizeOutcome(const CronConfig& config, std::string_view status);

}  // namespace vigil::cron
