#include "cron/engine.h"

namespace vigil::cron {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS cron_monitors(
  job TEXT PRIMARY KEY, schedule TEXT NOT NULL, tz TEXT NOT NULL, interval_ns INTEGER NOT NULL,
  grace_ns INTEGER NOT NULL, max_runtime_ns INTEGER NOT NULL, failure_threshold INTEGER NOT NULL,
  source TEXT NOT NULL, paused INTEGER NOT NULL, created_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cron_trackers(
  job TEXT NOT NULL, tenant TEXT NOT NULL, anchor_ns INTEGER NOT NULL, last_start_ns INTEGER NOT NULL,
  last_end_ns INTEGER NOT NULL, last_success_ns INTEGER NOT NULL, last_failure_ns INTEGER NOT NULL,
  consecutive_failures INTEGER NOT NULL, last_state TEXT NOT NULL, PRIMARY KEY(job, tenant));
CREATE TABLE IF NOT EXISTS cron_open_runs(
  job TEXT NOT NULL, tenant TEXT NOT NULL, run_id TEXT NOT NULL, started_ns INTEGER NOT NULL,
  PRIMARY KEY(job, tenant, run_id));
)sql";

Monitor Build(MonitorSpec spec, int64_t created_ns, FlagRules rules) {
  // Specs are validated before they get here (ParseMonitorSpec, or read back from our
  // own table); an unparsable stored one degrades to unscheduled rather than failing.
  Result<Schedule> schedule = Schedule::Make(spec);
  if (!schedule.ok()) {
    spec.schedule.clear();
    spec.interval_ns = 0;
    schedule = Schedule::Make(spec);
  }
  return Monitor(std::move(spec), std::move(schedule).value(), created_ns, rules);
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Open(StateDb* db, const CronConfig& config, int64_t now_ns) {
  std::unique_ptr<Engine> e(new Engine(db, config.flags));
  if (db != nullptr && !db->read_only()) RETURN_IF_ERROR(e->CreateTables());
  if (db != nullptr) RETURN_IF_ERROR(e->Load());
  RETURN_IF_ERROR(e->ApplyConfig(config, now_ns));
  return e;
}

Status Engine::CreateTables() { return db_->Locked([&] { return db_->Exec(kSchema); }); }

Status Engine::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  return db_->Locked([&]() -> Status {
    // A read-only reader may meet a state file that no cron-aware server wrote yet.
    ASSIGN_OR_RETURN(bool have_tables, db_->HasTable("cron_open_runs"));
    if (!have_tables) return Status::OK();
    ASSIGN_OR_RETURN(Statement m, db_->Prepare("SELECT job, schedule, tz, interval_ns, grace_ns, max_runtime_ns, "
                                               "failure_threshold, source, paused, created_ns FROM cron_monitors"));
    while (true) {
      ASSIGN_OR_RETURN(bool more, m.Step());
      if (!more) break;
      MonitorSpec spec;
      spec.job = m.Text(0);
      spec.schedule = m.Text(1);
      spec.tz = m.Text(2);
      spec.interval_ns = m.Int(3);
      spec.grace_ns = m.Int(4);
      spec.max_runtime_ns = m.Int(5);
      spec.failure_threshold = static_cast<int>(m.Int(6));
      spec.source = m.Text(7);
      Monitor mon = Build(spec, m.Int(9), rules_);
      mon.set_paused(m.Int(8) != 0);
      mon.mutable_trackers().clear();
      monitors_.emplace(spec.job, std::move(mon));
    }
    ASSIGN_OR_RETURN(Statement t, db_->Prepare("SELECT job, tenant, anchor_ns, last_start_ns, last_end_ns, "
                                               "last_success_ns, last_failure_ns, consecutive_failures, "
                                               "last_state FROM cron_trackers"));
    while (true) {
      ASSIGN_OR_RETURN(bool more, t.Step());
      if (!more) break;
      auto it = monitors_.find(t.Text(0));
      if (it == monitors_.end()) continue;
      Tracker& tr = it->second.mutable_trackers()[t.Text(1)];
      tr.anchor_ns = t.Int(2);
      tr.last_start_ns = t.Int(3);
      tr.last_end_ns = t.Int(4);
      tr.last_success_ns = t.Int(5);
      tr.last_failure_ns = t.Int(6);
      tr.consecutive_failures = static_cast<int>(t.Int(7));
      tr.last_state = StateFromName(t.Text(8));
    }
    ASSIGN_OR_RETURN(Statement o, db_->Prepare("SELECT job, tenant, run_id, started_ns FROM cron_open_runs"));
    while (true) {
      ASSIGN_OR_RETURN(bool more, o.Step());
      if (!more) break;
      auto it = monitors_.find(o.Text(0));
      if (it == monitors_.end()) continue;
      it->second.mutable_trackers()[o.Text(1)].open_runs[o.Text(2)] = o.Int(3);
    }
    for (auto& [job, mon] : monitors_) {
      if (mon.trackers().empty()) mon.mutable_trackers()[""].anchor_ns = mon.created_ns();
    }
    return Status::OK();
  });
}

Status Engine::Save(const Monitor& m) {
  if (db_ == nullptr || db_->read_only()) return Status::OK();
  return db_->Transaction([&]() -> Status {
    const MonitorSpec& s = m.spec();
    ASSIGN_OR_RETURN(Statement up, db_->Prepare("INSERT OR REPLACE INTO cron_monitors VALUES(?,?,?,?,?,?,?,?,?,?)"));
    up.Bind(1, s.job).Bind(2, s.schedule).Bind(3, s.tz).Bind(4, s.interval_ns).Bind(5, s.grace_ns);
    up.Bind(6, s.max_runtime_ns).Bind(7, int64_t{s.failure_threshold}).Bind(8, s.source);
    up.Bind(9, int64_t{m.paused() ? 1 : 0}).Bind(10, m.created_ns());
    RETURN_IF_ERROR(up.Run());
    for (const char* table : {"cron_trackers", "cron_open_runs"}) {
      ASSIGN_OR_RETURN(Statement del, db_->Prepare(std::string("DELETE FROM ") + table + " WHERE job = ?"));
      RETURN_IF_ERROR(del.Bind(1, s.job).Run());
    }
    ASSIGN_OR_RETURN(Statement tr, db_->Prepare("INSERT INTO cron_trackers VALUES(?,?,?,?,?,?,?,?,?)"));
    ASSIGN_OR_RETURN(Statement open, db_->Prepare("INSERT INTO cron_open_runs VALUES(?,?,?,?)"));
    for (const auto& [tenant, t] : m.trackers()) {
      tr.Bind(1, s.job).Bind(2, tenant).Bind(3, t.anchor_ns).Bind(4, t.last_start_ns).Bind(5, t.last_end_ns);
      tr.Bind(6, t.last_success_ns).Bind(7, t.last_failure_ns).Bind(8, int64_t{t.consecutive_failures});
      RETURN_IF_ERROR(tr.Bind(9, StateName(t.last_state)).Run());
      for (const auto& [run_id, started] : t.open_runs) {
        RETURN_IF_ERROR(open.Bind(1, s.job).Bind(2, tenant).Bind(3, run_id).Bind(4, started).Run());
      }
    }
    return Status::OK();
  });
}

Status Engine::Remove(const std::string& job) {
  if (db_ == nullptr || db_->read_only()) return Status::OK();
  return db_->Transaction([&]() -> Status {
    for (const char* table : {"cron_monitors", "cron_trackers", "cron_open_runs"}) {
      ASSIGN_OR_RETURN(Statement del, db_->Prepare(std::string("DELETE FROM ") + table + " WHERE job = ?"));
      RETURN_IF_ERROR(del.Bind(1, job).Run());
    }
    return Status::OK();
  });
}

// Replaces or adds the monitor of spec.job, keeping the old one's runs and pause state.
Status Engine::Install(MonitorSpec spec, int64_t now_ns) {
  auto it = monitors_.find(spec.job);
  const int64_t created = it == monitors_.end() ? now_ns : it->second.created_ns();
  Monitor next = Build(spec, created, rules_);
  if (it != monitors_.end()) {
    next.mutable_trackers() = it->second.trackers();
    next.set_paused(it->second.paused());
    it->second = std::move(next);
  } else {
    it = monitors_.emplace(spec.job, std::move(next)).first;
  }
  return Save(it->second);
}

Status Engine::ApplyConfig(const CronConfig& config, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_ = config.flags;
  std::map<std::string, const MonitorSpec*> wanted;
  for (const MonitorSpec& s : config.monitors) wanted[s.job] = &s;
  std::vector<std::string> stale;
  const bool read_only = db_ != nullptr && db_->read_only();
  for (const auto& [job, m] : monitors_) {
    if (!read_only && m.spec().source == "config" && wanted.count(job) == 0) stale.push_back(job);
  }
  for (const std::string& job : stale) {
    RETURN_IF_ERROR(Remove(job));
    monitors_.erase(job);
  }
  for (const MonitorSpec& s : config.monitors) RETURN_IF_ERROR(Install(s, now_ns));
  return Status::OK();
}

Status Engine::Put(MonitorSpec spec, int64_t now_ns, bool* created) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = monitors_.find(spec.job);
  if (it != monitors_.end() && it->second.spec().source == "config") {
    return Status::InvalidArgument("monitor '" + spec.job + "' is defined in the config file; change it there");
  }
  *created = it == monitors_.end() || it->second.spec().source == "checkin";
  spec.source = "api";
  return Install(std::move(spec), now_ns);
}

Status Engine::Delete(const std::string& job) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = monitors_.find(job);
  if (it == monitors_.end()) return Status::NotFound("no monitor for job '" + job + "'");
  if (it->second.spec().source == "config") {
    return Status::InvalidArgument("monitor '" + job + "' is defined in the config file; remove it there");
  }
  RETURN_IF_ERROR(Remove(job));
  monitors_.erase(it);
  return Status::OK();
}

Status Engine::SetPaused(const std::string& job, bool paused, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = monitors_.find(job);
  if (it == monitors_.end()) return Status::NotFound("no monitor for job '" + job + "'");
  if (paused) {
    it->second.Pause();
  } else if (it->second.paused()) {
    it->second.Resume(now_ns);
  }
  return Save(it->second);
}

bool Engine::Monitored(const std::string& job) const {
  std::lock_guard<std::mutex> lock(mu_);
  return monitors_.count(job) != 0;
}

Monitor& Engine::Ensure(const std::string& job, int64_t now_ns) {
  auto it = monitors_.find(job);
  if (it != monitors_.end()) return it->second;
  MonitorSpec spec;
  spec.job = job;
  spec.source = "checkin";
  return monitors_.emplace(job, Build(spec, now_ns, rules_)).first->second;
}

Result<std::string> Engine::Start(const std::string& job, const std::string& tenant, const std::string& run_id,
                                  int64_t ts_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  Monitor& m = Ensure(job, ts_ns);
  std::string id = m.Start(tenant, run_id, ts_ns);
  RETURN_IF_ERROR(Save(m));
  return id;
}

Result<RunOutcome> Engine::End(const std::string& job, const std::string& tenant, const std::string& run_id,
                               int64_t ts_ns, bool ok, std::optional<double> duration_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Monitor& m = Ensure(job, ts_ns);
  RunOutcome out = m.End(tenant, run_id, ts_ns, ok, duration_ms);
  RETURN_IF_ERROR(Save(m));
  return out;
}

Status Engine::RecordLogRuns(const std::vector<LogRun>& runs) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, Monitor*> touched;
  for (const LogRun& r : runs) {
    auto it = monitors_.find(r.job);
    if (it == monitors_.end()) continue;
    it->second.End(r.tenant, r.run_id, r.ts_ns, r.ok, r.duration_ms);
    touched[r.job] = &it->second;
  }
  for (const auto& [job, m] : touched) RETURN_IF_ERROR(Save(*m));
  return Status::OK();
}

Result<TickResult> Engine::Tick(int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  TickResult out;
  for (auto& [job, m] : monitors_) {
    std::vector<TimedOutRun> timeouts = m.CollectTimeouts(now_ns);
    std::vector<Transition> changes = m.Transitions(now_ns);
    if (timeouts.empty() && changes.empty()) continue;
    for (TimedOutRun& t : timeouts) out.timeouts.emplace_back(job, std::move(t));
    for (Transition& t : changes) out.transitions.emplace_back(job, std::move(t));
    RETURN_IF_ERROR(Save(m));
  }
  return out;
}

void Engine::ForEach(const std::function<void(const Monitor&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [job, m] : monitors_) fn(m);
}

bool Engine::With(const std::string& job, const std::function<void(const Monitor&)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = monitors_.find(job);
  if (it == monitors_.end()) return false;
  fn(it->second);
  return true;
}

}  // namespace vigil::cron
