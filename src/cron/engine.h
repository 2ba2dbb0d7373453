// Engine: every cron monitor of a server, persisted in the state database.
//
// Monitors come from the config (source "config"), from the API (source "api"), or
// appear when an unknown job checks in (source "checkin": unscheduled, never late or
// down, but its runs are matched, timed and counted). Every change is written through to
// SQLite (tables cron_monitors, cron_trackers, cron_open_runs) before it returns, so a
// restart keeps open runs and states; the recent-duration history of the live flags is
// kept in memory only.
//
// Thread-safety: all methods are thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "cron/cron_config.h"
#include "cron/monitor.h"
#include "server/thread_annotations.h"
#include "state/state_db.h"

namespace vigil::cron {

struct TickResult {
  std::vector<std::pair<std::string, TimedOutRun>> timeouts;   // (job, run)
  std::vector<std::pair<std::string, Transition>> transitions;  // (job, change)
};

// A finished run seen in a log event (not a check-in).
struct LogRun {
  std::string job;
  std::string tenant;
  std::string run_id;
  int64_t ts_ns = 0;
  bool ok = true;
  std::optional<double> duration_ms;
};

class Engine {
 public:
  // `db` (may be null: nothing is persisted) must outlive the engine; its tables are
  // created unless it is read-only. Loads the stored monitors, then applies `config`.
  static Result<std::unique_ptr<Engine>> Open(StateDb* db, const CronConfig& config, int64_t now_ns);

  // Makes the config's monitors current: adds or updates them and, unless the database
  // is read-only (whose reader may not know the config file), removes config monitors no
  // longer listed. Errors: the database's.
  Status ApplyConfig(const CronConfig& config, int64_t now_ns);

  // Creates or replaces the monitor of spec.job (keeping its runs and states). Sets
  // *created. InvalidArgument when the job's monitor comes from the config file.
  Status Put(MonitorSpec spec, int64_t now_ns, bool* created);
  // NotFound, or InvalidArgument for a config monitor.
  Status Delete(const std::string& job);
  // NotFound when there is no such monitor.
  Status SetPaused(const std::string& job, bool paused, int64_t now_ns);

  bool Monitored(const std::string& job) const;

  // Check-ins. A job without a monitor gets an unscheduled one. Start returns the run id
  // (generated when `run_id` is empty).
  Result<std::string> Start(const std::string& job, const std::string& tenant, const std::string& run_id,
                            int64_t ts_ns);
  Result<RunOutcome> End(const std::string& job, const std::string& tenant, const std::string& run_id,
                         int64_t ts_ns, bool ok, std::optional<double> duration_ms);
  // Runs from log events, for jobs that have a monitor (others are ignored).
  Status RecordLogRuns(const std::vector<LogRun>& runs);

  // Times out runs past their max runtime and reports state changes.
  Result<TickResult> Tick(int64_t now_ns);

  // Runs `fn` on every monitor (in job order) under the engine's lock; `fn` must not call
  // back into the engine.
  void ForEach(const std::function<void(const Monitor&)>& fn) const;
  // Same for one monitor; false when there is none.
  bool With(const std::string& job, const std::function<void(const Monitor&)>& fn) const;

 private:
  Engine(StateDb* db, FlagRules rules) : db_(db), rules_(rules) {}
  Status CreateTables();
  Status Load();
  Status Save(const Monitor& m) REQUIRES(mu_);
  Status Remove(const std::string& job) REQUIRES(mu_);
  Status Install(MonitorSpec spec, int64_t now_ns) REQUIRES(mu_);
  Monitor& Ensure(const std::string& job, int64_t now_ns) REQUIRES(mu_);

  StateDb* db_;
  FlagRules rules_;
  mutable std::mutex mu_;
  std::map<std::string, Monitor> monitors_ GUARDED_BY(mu_);
};

}  // namespace vigil::cron
