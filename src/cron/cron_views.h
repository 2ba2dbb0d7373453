// The cron views (docs/views/cron.md):
//   cron_runs (alias cron_metrics): one row per finished run in the time range, from log
//     events and check-ins: run_at, job_name, db_name, status (success / failure /
//     timed_out), duration_ms, error_message, run_id, @tenant, flags (too_long,
//     too_short, too_often) and logs_query (the query that lists the run's log lines).
//   cron_jobs: one row per job and tenant: runs, failures, failure_rate, last_run,
//     last_status, last_failure, p95_duration_ms (nearest rank), flagged, state,
//     next_due, schedule.
// Both are table views: they read the events of the range (default: the last
// `default_range` when the query gives none) and merge in the monitors' live state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/status.h"
#include "cron/cron_config.h"
#include "cron/engine.h"
#include "cron/run_flags.h"
#include "query/query.h"
#include "query/views.h"
#include "store/store.h"

namespace vigil::cron {

struct RunRow {
  int64_t ts_ns = 0;  // when the run ended (the event's time)
  std::string job;
  std::string tenant;  // the configured tenant field (db_name)
  std::string status;  // success, failure, timed_out
  std::optional<double> duration_ms;
  std::string error;
  std::string run_id;
  std::string at_tenant;  // @tenant
  std::string flags;
  int64_t start_ns() const { return ts_ns - DurationNs(duration_ms.value_or(0)); }
};

// Finished runs in [min_ns, max_ns], oldest first, with their flags. ResourceExhausted
// when there are more than config.max_runs.
Result<std::vector<RunRow>> LoadRuns(Store& store, const QueryOptions& options, const CronConfig& config,
                                     const Engine& engine, int64_t min_ns, int64_t max_ns, int64_t now_ns);

Batch RunsTable(const std::vector<RunRow>& runs, const CronFields& fields);
Batch JobsTable(const std::vector<RunRow>& runs, const Engine& engine, int64_t now_ns);

// The Logs Insights query that lists the log lines of `run`: by run id when it has one,
// else by job, tenant and the run's time window (1 s of slack each side).
std::string LogsQuery(const RunRow& run, const CronFields& fields);

}  // namespace vigil::cron
