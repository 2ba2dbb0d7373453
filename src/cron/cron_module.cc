#include "cron/cron_module.h"

#include <chrono>
#include <map>

#include "cron/cron.h"
#include "cron/cron_views.h"

namespace vigil::cron {

namespace {

// The state database: read-only mode reads it when it exists and runs without it
// otherwise (config monitors only).
Result<std::unique_ptr<StateDb>> OpenDb(const ModuleContext& ctx) {
  Result<std::unique_ptr<StateDb>> db = StateDb::Open(ctx.state_path, ctx.read_only);
  if (!db.ok() && ctx.read_only && db.status().code() == Code::kNotFound) return std::unique_ptr<StateDb>();
  return db;
}

// The range a view reads: the query's, or the last `default_range` when it gave none.
std::pair<int64_t, int64_t> ViewRange(const query::TableRequest& req, const CronConfig& c) {
  if (req.explicit_range) return {req.min_ts, req.max_ts};
  return {req.now_ns - c.default_range_ns, req.now_ns};
}

}  // namespace

Result<std::unique_ptr<ServerModule>> MakeCronModule(ModuleContext& ctx) {
  ASSIGN_OR_RETURN(CronConfig config, ParseCronConfig(ctx.config.raw));
  ASSIGN_OR_RETURN(std::unique_ptr<StateDb> db, OpenDb(ctx));
  ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(db.get(), config, ctx.now_ns()));
  auto m = std::make_unique<CronModule>(ctx, std::move(config), std::move(db), std::move(engine));
  m->RegisterViews();
  if (!ctx.read_only) m->StartTicker();
  return std::unique_ptr<ServerModule>(std::move(m));
}

CronModule::CronModule(ModuleContext& ctx, CronConfig config, std::unique_ptr<StateDb> db,
                       std::unique_ptr<Engine> engine)
    : ctx_(ctx),
      db_(std::move(db)),
      engine_(std::move(engine)),
      config_(std::make_shared<const CronConfig>(std::move(config))),
      checkins_(ctx.registry.AddCounterFamily("vigil_cron_checkins_total",
                                              "Cron check-ins by result (stored, rejected)", {"result"})),
      timeouts_(ctx.registry.AddCounter("vigil_cron_runs_timed_out_total",
                                        "Cron runs closed as timed_out after their max runtime")) {
  ctx.registry.AddCollector([this](PrometheusWriter& w) {
    std::map<std::string, uint64_t> by_state;
    for (State s : {State::kNew, State::kUp, State::kRunning, State::kLate, State::kDown, State::kFailing,
                    State::kPaused}) {
      by_state[StateName(s)] = 0;
    }
    const int64_t now = ctx_.now_ns();
    engine_->ForEach([&](const Monitor& m) { ++by_state[StateName(m.Overall(now))]; });
    w.Header("vigil_cron_monitors", "Cron monitors by their overall state", "gauge");
    for (const auto& [state, n] : by_state) w.Sample("vigil_cron_monitors", {{"state", state}}, n);
  });
}

CronModule::~CronModule() { Stop(); }

std::shared_ptr<const CronConfig> CronModule::config() const {
  std::lock_guard<std::mutex> lock(config_mu_);
  return config_;
}

void CronModule::RegisterViews() {
  auto runs = [this](const query::TableRequest& req) -> Result<Batch> {
    std::shared_ptr<const CronConfig> c = config();
    auto [min, max] = ViewRange(req, *c);
    ASSIGN_OR_RETURN(std::vector<RunRow> rows,
                     LoadRuns(ctx_.store, ctx_.query_options, *c, *engine_, min, max, req.now_ns));
    return RunsTable(rows, c->fields);
  };
  auto jobs = [this](const query::TableRequest& req) -> Result<Batch> {
    std::shared_ptr<const CronConfig> c = config();
    auto [min, max] = ViewRange(req, *c);
    ASSIGN_OR_RETURN(std::vector<RunRow> rows,
                     LoadRuns(ctx_.store, ctx_.query_options, *c, *engine_, min, max, req.now_ns));
    return JobsTable(rows, *engine_, req.now_ns);
  };
  const std::vector<std::string> run_columns = {"run_at", "job_name", "db_name", "status", "duration_ms",
                                                "error_message", "run_id", "flags"};
  const std::vector<std::string> job_columns = {"job_name", "tenant", "state", "runs", "failures",
                                                "failure_rate", "last_run", "last_failure", "p95_duration_ms",
                                                "flagged", "next_due"};
  for (const char* name : {"cron_runs", "cron_metrics"}) {
    query::ViewDef v;
    v.name = name;
    v.description = "finished cron job runs (log events and check-ins)";
    v.table = runs;
    v.columns = run_columns;
    v.time_columns = {"run_at"};
    ctx_.views.Register(std::move(v));
  }
  query::ViewDef v;
  v.name = "cron_jobs";
  v.description = "cron jobs per tenant: runs, failures, p95 duration, monitor state";
  v.table = jobs;
  v.columns = job_columns;
  v.time_columns = {"last_run", "last_failure", "next_due"};
  ctx_.views.Register(std::move(v));
}

void CronModule::RegisterRoutes(Router& router) {
  if (ctx_.read_only) return;
  auto guard = [this](Access need, HttpResponse (CronModule::*method)(const HttpRequest&)) {
    return Guard(ctx_.auth, need, [this, method](const HttpRequest& r) { return (this->*method)(r); });
  };
  const std::string monitors = std::string(kCheckInPrefix) + "monitors";
  router.Add("GET", monitors, guard(Access::kRead, &CronModule::ListMonitors));
  router.AddPrefix("GET", monitors + "/", guard(Access::kRead, &CronModule::GetMonitor));
  router.AddPrefix("PUT", monitors + "/", guard(Access::kAdmin, &CronModule::PutMonitor));
  router.AddPrefix("DELETE", monitors + "/", guard(Access::kAdmin, &CronModule::DeleteMonitor));
  router.AddPrefix("POST", monitors + "/", guard(Access::kAdmin, &CronModule::PostMonitorAction));
  router.AddPrefix("POST", std::string(kCheckInPrefix), guard(Access::kIngest, &CronModule::PostCheckIn));
  router.AddPrefix("GET", std::string(kPingPrefix), guard(Access::kIngest, &CronModule::PostCheckIn));
  router.AddPrefix("POST", std::string(kPingPrefix), guard(Access::kIngest, &CronModule::PostCheckIn));
}

std::function<void()> CronModule::OnIngest(const Batch& batch) {
  std::shared_ptr<const CronConfig> c = config();
  const Column* job = batch.Find(c->fields.job, Type::kString);
  const Column* status = batch.Find(c->fields.status, Type::kString);
  if (job == nullptr || status == nullptr) return {};
  const Column* own = batch.Find("cron_event", Type::kString);  // check-ins: already counted
  const Column* ts = batch.Find(field::kTimestamp, Type::kInt);
  const Column* tenant = batch.Find(c->fields.tenant, Type::kString);
  const Column* run_id = batch.Find(c->fields.run_id, Type::kString);
  const Column* dur_f = batch.Find(c->fields.duration_ms, Type::kFloat);
  const Column* dur_i = batch.Find(c->fields.duration_ms, Type::kInt);
  auto str = [](const Column* col, size_t row) {
    return col != nullptr && col->IsValid(row) ? std::string(col->strs[row]) : std::string();
  };
  std::map<std::string, bool, std::less<>> monitored;  // per job name seen in the batch
  auto is_monitored = [&](std::string_view name) {
    auto it = monitored.find(name);
    if (it == monitored.end()) it = monitored.emplace(std::string(name), engine_->Monitored(std::string(name))).first;
    return it->second;
  };
  std::vector<LogRun> runs;
  for (size_t row = 0; row < batch.rows; ++row) {
    if (!job->IsValid(row) || !status->IsValid(row) || (own != nullptr && own->IsValid(row))) continue;
    if (ts == nullptr || !ts->IsValid(row)) continue;
    const std::string outcome = NormalizeOutcome(*c, status->strs[row]);
    if (outcome.empty() || !is_monitored(job->strs[row])) continue;
    const std::string name(job->strs[row]);
    LogRun r{name, str(tenant, row), str(run_id, row), ts->ints[row], outcome == "success", std::nullopt};
    if (dur_f != nullptr && dur_f->IsValid(row)) r.duration_ms = dur_f->floats[row];
    if (dur_i != nullptr && dur_i->IsValid(row)) r.duration_ms = static_cast<double>(dur_i->ints[row]);
    runs.push_back(std::move(r));
  }
  if (runs.empty()) return {};
  return [this, runs = std::move(runs)] {
    if (Status st = engine_->RecordLogRuns(runs); !st.ok()) ctx_.log("cron: recording runs: " + st.ToString());
  };
}

Status CronModule::Reload(const Config& config) {
  ASSIGN_OR_RETURN(CronConfig next, ParseCronConfig(config.raw));
  if (!ctx_.read_only) RETURN_IF_ERROR(engine_->ApplyConfig(next, ctx_.now_ns()));
  std::lock_guard<std::mutex> lock(config_mu_);
  config_ = std::make_shared<const CronConfig>(std::move(next));
  return Status::OK();
}

void CronModule::StartTicker() {
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(tick_mu_);
    while (!stopping_) {
      const auto period = std::chrono::nanoseconds(config()->tick_ns);
      if (tick_cv_.wait_for(lock, period, [this] { return stopping_; })) break;
      lock.unlock();
      TickOnce();
      lock.lock();
    }
  });
}

void CronModule::Stop() {
  {
    std::lock_guard<std::mutex> lock(tick_mu_);
    stopping_ = true;
  }
  tick_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

Status CronModule::StoreEvent(const std::function<void(BatchBuilder&, const CronFields&)>& fill, int64_t ts_ns) {
  std::shared_ptr<const CronConfig> c = config();
  BatchBuilder b;
  b.BeginRow();
  b.AddInt(field::kTimestamp, ts_ns);
  b.AddString(field::kKind, "cron");
  fill(b, c->fields);
  b.EndRow();
  return ctx_.ingest(b.Finish());
}

void CronModule::TickOnce() {
  const int64_t now = ctx_.now_ns();
  Result<TickResult> r = engine_->Tick(now);
  if (!r.ok()) {
    ctx_.log("cron: advancing monitors: " + r.status().ToString());
    return;
  }
  for (const auto& [job, run] : r->timeouts) {
    timeouts_.Inc();
    Status st = StoreEvent(
        [&, job = job, run = run](BatchBuilder& b, const CronFields& f) {
          b.AddString("level", "ERROR");
          b.AddString("message", "cron " + job + " timed out");
          b.AddString("cron_event", "timeout");
          b.AddString(f.job, job);
          b.AddString(f.status, "timed_out");
          b.AddFloat(f.duration_ms, run.duration_ms);
          b.AddString(f.error, "no end reported within the monitor's max_runtime");
          if (!run.run_id.empty()) b.AddString(f.run_id, run.run_id);
          if (!run.tenant.empty()) b.AddString(f.tenant, run.tenant);
        },
        now);
    if (!st.ok()) ctx_.log("cron: storing a timed-out run of " + job + ": " + st.ToString());
  }
  for (const auto& [job, t] : r->transitions) {
    const bool bad = t.to == State::kDown || t.to == State::kLate || t.to == State::kFailing;
    Status st = StoreEvent(
        [&, job = job, t = t](BatchBuilder& b, const CronFields& f) {
          b.AddString("level", bad ? "WARN" : "INFO");
          b.AddString("message", "cron " + job + " is " + StateName(t.to));
          b.AddString("cron_event", "state");
          b.AddString(f.job, job);
          if (!t.tenant.empty()) b.AddString(f.tenant, t.tenant);
          b.AddString("monitor_state", StateName(t.to));
          b.AddString("previous_state", StateName(t.from));
        },
        now);
    if (!st.ok()) ctx_.log("cron: storing a state change of " + job + ": " + st.ToString());
  }
}

}  // namespace vigil::cron
