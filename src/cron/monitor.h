// Monitor: the state machine of one monitored cron job, per tenant.
//
// A monitor keeps a Tracker per tenant that reported runs ("" for runs without a
// tenant). A tracker's state at time `now`:
//   paused   the monitor is paused (nothing is expected);
//   running  a run has started and not ended;
//   down     the job is due (next due time after its last start, or after the monitor
//            was created / resumed) and the start grace has passed too;
//   late     the job is due but still within the start grace;
//   failing  the last `failure_threshold` runs failed (failure or timed_out);
//   new      no run seen yet;
//   up       otherwise.
// Runs are matched start -> end by run id, so overlapping runs are told apart; a start
// without a run id gets a generated one, and an end without a run id closes the latest
// such run. A run open longer than max_runtime is closed as timed_out by
// CollectTimeouts. Times are injected (ns since the epoch): nothing here reads a clock.
//
// Thread-safety: none; the engine serializes access.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cron/run_flags.h"
#include "cron/schedule.h"

namespace vigil::cron {

enum class State { kNew, kUp, kLate, kDown, kFailing, kRunning, kPaused };
const char* StateName(State s);
// Inverse of StateName; kNew for an unknown name.
State StateFromName(std::string_view name);

struct Tracker {
  int64_t anchor_ns = 0;  // expectations start here (creation, resume)
  int64_t last_start_ns = 0;
  int64_t last_end_ns = 0;
  int64_t last_success_ns = 0;
  int64_t last_failure_ns = 0;
  int consecutive_failures = 0;
  std::map<std::string, int64_t> open_runs;  // run id -> start
  std::deque<double> durations;              // recent durations (ms), oldest first
  std::map<std::string, int64_t, std::less<>> flag_counts;  // too_long/too_short/too_often
  std::string last_flag;
  State last_state = State::kNew;  // as last reported by Transitions
};

// What a finished run resolved to.
struct RunOutcome {
  std::optional<double> duration_ms;  // given, or end - matched start
  std::string run_id;                 // as given, or the matched generated id
  std::string flags;                  // "too_long,too_often" ...
};

struct TimedOutRun {
  std::string tenant;
  std::string run_id;  // empty when the start had no run id
  int64_t started_ns = 0;
  double duration_ms = 0;
};

struct Transition {
  std::string tenant;
  State from;
  State to;
};

class Monitor {
 public:
  // REQUIRES: `schedule` was made from `spec`.
  Monitor(MonitorSpec spec, Schedule schedule, int64_t created_ns, FlagRules rules = {});

  // A run started. Returns the generated run id when `run_id` is empty, else `run_id`.
  std::string Start(const std::string& tenant, const std::string& run_id, int64_t ts_ns);
  // A run ended (ok: success). `duration_ms` is the caller's, if any; else the matched
  // start gives it. A run with no matching start is taken to have started duration_ms
  // before the end (or at the end).
  RunOutcome End(const std::string& tenant, const std::string& run_id, int64_t ts_ns, bool ok,
                 std::optional<double> duration_ms);
  // Closes runs open for longer than max_runtime as failures and returns them.
  std::vector<TimedOutRun> CollectTimeouts(int64_t now_ns);
  // Trackers whose state changed since the last call (and records the new states).
  std::vector<Transition> Transitions(int64_t now_ns);

  State StateOf(const std::string& tenant, int64_t now_ns) const;
  // The most severe state over the tenants (paused when paused).
  State Overall(int64_t now_ns) const;
  // When the tenant's next start is due (INT64_MAX: never).
  int64_t NextDue(const std::string& tenant) const;

  void Pause() { paused_ = true; }
  void Resume(int64_t now_ns);
  bool paused() const { return paused_; }
  void set_paused(bool p) { paused_ = p; }

  const MonitorSpec& spec() const { return spec_; }
  const Schedule& schedule() const { return schedule_; }
  int64_t created_ns() const { return created_ns_; }
  const std::map<std::string, Tracker>& trackers() const { return trackers_; }
  std::map<std::string, Tracker>& mutable_trackers() { return trackers_; }

 private:
  Tracker& TrackerFor(const std::string& tenant);
  State StateOf(const Tracker& t, int64_t now_ns) const;
  int64_t NextDue(const Tracker& t) const;
  // Records a start for too_often; returns kTooOften or "".
  std::string_view NoteStart(Tracker& t, int64_t start_ns);
  void Flag(Tracker& t, std::string_view flag);
  void Finish(Tracker& t, int64_t ts_ns, bool ok);

  MonitorSpec spec_;
  Schedule schedule_;
  int64_t created_ns_;
  FlagRules rules_;
  bool paused_ = false;
  uint64_t next_generated_ = 0;
  std::map<std::string, Tracker> trackers_;  // by tenant
};

// Severity order used for Overall (higher is worse).
int Severity(State s);

}  // namespace vigil::cron
