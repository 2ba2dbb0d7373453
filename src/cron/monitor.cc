#include "cron/monitor.h"

#include <algorithm>
#include <limits>

namespace vigil::cron {

namespace {
constexpr std::string_view kGeneratedPrefix = "auto-";
}

const char* StateName(State s) {
  switch (s) {
    case State::kNew: return "new";
    case State::kUp: return "up";
    case State::kLate: return "late";
    case State::kDown: return "down";
    case State::kFailing: return "failing";
    case State::kRunning: return "running";
    case State::kPaused: return "paused";
  }
  return "unknown";
}

State StateFromName(std::string_view name) {
  for (State s : {State::kUp, State::kLate, State::kDown, State::kFailing, State::kRunning, State::kPaused}) {
    if (name == StateName(s)) return s;
  }
  return State::kNew;
}

int Severity(State s) {
  switch (s) {
    case State::kNew: return 0;
    case State::kUp: return 1;
    case State::kRunning: return 2;
    case State::kPaused: return 3;
    case State::kFailing: return 4;
    case State::kLate: return 5;
    case State::kDown: return 6;
  }
  return 0;
}

Monitor::Monitor(MonitorSpec spec, Schedule schedule, int64_t created_ns, FlagRules rules)
    : spec_(std::move(spec)), schedule_(std::move(schedule)), created_ns_(created_ns), rules_(rules) {
  trackers_[""].anchor_ns = created_ns;
}

Tracker& Monitor::TrackerFor(const std::string& tenant) {
  auto it = trackers_.find(tenant);
  if (it != trackers_.end()) return it->second;
  // The tenant-less tracker only stands for "nothing reported yet": once tenants report,
  // an idle one would go down for no job at all.
  if (!tenant.empty()) {
    auto blank = trackers_.find("");
    if (blank != trackers_.end() && blank->second.last_start_ns == 0 &&
        blank->second.last_end_ns == 0 && blank->second.open_runs.empty()) {
      trackers_.erase(blank);
    }
  }
  Tracker& t = trackers_[tenant];
  t.anchor_ns = created_ns_;
  return t;
}

int64_t Monitor::NextDue(const Tracker& t) const {
  if (t.last_start_ns > t.anchor_ns) return schedule_.DueAfterStart(t.last_start_ns, spec_.grace_ns);
  return schedule_.NextDue(t.anchor_ns);
}

int64_t Monitor::NextDue(const std::string& tenant) const {
  auto it = trackers_.find(tenant);
  return it == trackers_.end() ? std::numeric_limits<int64_t>::max() : NextDue(it->second);
}

void Monitor::Flag(Tracker& t, std::string_view flag) {
  if (flag.empty()) return;
  ++t.flag_counts[std::string(flag)];
  t.last_flag = std::string(flag);
}

std::string_view Monitor::NoteStart(Tracker& t, int64_t start_ns) {
  std::string_view flag;
  if (t.last_start_ns > 0 && TooOften(schedule_, spec_.grace_ns, t.last_start_ns, start_ns)) {
    flag = kTooOften;
  }
  Flag(t, flag);
  t.last_start_ns = std::max(t.last_start_ns, start_ns);
  return flag;
}

std::string Monitor::Start(const std::string& tenant, const std::string& run_id, int64_t ts_ns) {
  Tracker& t = TrackerFor(tenant);
  std::string id = run_id.empty() ? std::string(kGeneratedPrefix) + std::to_string(ts_ns) + "-" +
                                       std::to_string(++next_generated_)
                                 : run_id;
  NoteStart(t, ts_ns);
  t.open_runs[id] = ts_ns;
  return id;
}

void Monitor::Finish(Tracker& t, int64_t ts_ns, bool ok) {
  t.last_end_ns = std::max(t.last_end_ns, ts_ns);
  if (ok) {
    t.last_success_ns = std::max(t.last_success_ns, ts_ns);
    t.consecutive_failures = 0;
  } else {
    t.last_failure_ns = std::max(t.last_failure_ns, ts_ns);
    ++t.consecutive_failures;
  }
}

RunOutcome Monitor::End(const std::string& tenant, const std::string& run_id, int64_t ts_ns, bool ok,
                        std::optional<double> duration_ms) {
  Tracker& t = TrackerFor(tenant);
  RunOutcome out;
  out.run_id = run_id;
  auto match = t.open_runs.end();
  if (!run_id.empty()) {
    match = t.open_runs.find(run_id);
  } else {  // the latest start that came without a run id
    for (auto it = t.open_runs.begin(); it != t.open_runs.end(); ++it) {
      if (it->first.starts_with(kGeneratedPrefix) &&
          (match == t.open_runs.end() || it->second >= match->second)) {
        match = it;
      }
    }
  }
  std::string_view often;
  if (match != t.open_runs.end()) {
    if (!duration_ms) duration_ms = static_cast<double>(ts_ns - match->second) / 1e6;
    t.open_runs.erase(match);
  } else {
    const int64_t start = ts_ns - DurationNs(duration_ms.value_or(0));
    often = NoteStart(t, start);
  }
  std::string_view length;
  if (duration_ms) {
    length = DurationFlag(rules_, &t.durations, *duration_ms);
    Flag(t, length);
  }
  Finish(t, ts_ns, ok);
  out.duration_ms = duration_ms;
  out.flags = JoinFlags(length, often);
  return out;
}

std::vector<TimedOutRun> Monitor::CollectTimeouts(int64_t now_ns) {
  std::vector<TimedOutRun> out;
  if (spec_.max_runtime_ns <= 0) return out;
  for (auto& [tenant, t] : trackers_) {
    for (auto it = t.open_runs.begin(); it != t.open_runs.end();) {
      if (now_ns - it->second < spec_.max_runtime_ns) {
        ++it;
        continue;
      }
      const bool generated = it->first.starts_with(kGeneratedPrefix);
      out.push_back({tenant, generated ? "" : it->first, it->second,
                     static_cast<double>(now_ns - it->second) / 1e6});
      Finish(t, now_ns, /*ok=*/false);
      it = t.open_runs.erase(it);
    }
  }
  return out;
}

State Monitor::StateOf(const Tracker& t, int64_t now_ns) const {
  if (paused_) return State::kPaused;
  if (!t.open_runs.empty()) return State::kRunning;
  const int64_t due = NextDue(t);
  if (due != std::numeric_limits<int64_t>::max()) {
    if (now_ns - spec_.grace_ns >= due) return State::kDown;
    if (now_ns >= due) return State::kLate;
  }
  if (t.consecutive_failures >= spec_.failure_threshold) return State::kFailing;
  if (t.last_start_ns == 0 && t.last_end_ns == 0) return State::kNew;
  return State::kUp;
}

State Monitor::StateOf(const std::string& tenant, int64_t now_ns) const {
  auto it = trackers_.find(tenant);
  if (it == trackers_.end()) return paused_ ? State::kPaused : State::kNew;
  return StateOf(it->second, now_ns);
}

State Monitor::Overall(int64_t now_ns) const {
  if (paused_) return State::kPaused;
  State worst = State::kNew;
  for (const auto& [tenant, t] : trackers_) {
    const State s = StateOf(t, now_ns);
    if (Severity(s) > Severity(worst)) worst = s;
  }
  return worst;
}

std::vector<Transition> Monitor::Transitions(int64_t now_ns) {
  std::vector<Transition> out;
  for (auto& [tenant, t] : trackers_) {
    const State s = StateOf(t, now_ns);
    if (s != t.last_state) out.push_back({tenant, t.last_state, s});
    t.last_state = s;
  }
  return out;
}

void Monitor::Resume(int64_t now_ns) {
  paused_ = false;
  for (auto& [tenant, t] : trackers_) t.anchor_ns = now_ns;
}

}  // namespace vigil::cron
