// The HTTP handlers of the cron module (docs/api.md, "Cron").
#include <limits>

#include "core/timestamp.h"
#include "cron/cron_module.h"
#include "cron/request_params.h"

namespace vigil::cron {

namespace {

const std::string kMonitorsPrefix = std::string(kCheckInPrefix) + "monitors/";

void TimeOrNull(JsonWriter& w, std::string_view key, int64_t ns) {
  w.Key(key);
  if (ns > 0 && ns != std::numeric_limits<int64_t>::max()) {
    w.String(FormatIsoMillis(ns));
  } else {
    w.Null();
  }
}

void SecondsOrNull(JsonWriter& w, std::string_view key, int64_t ns) {
  w.Key(key);
  if (ns > 0) {
    w.Double(static_cast<double>(ns) / 1e9);
  } else {
    w.Null();
  }
}

void WriteTracker(JsonWriter& w, const Monitor& m, const std::string& tenant, const Tracker& t, int64_t now_ns) {
  w.BeginObject();
  w.Key("tenant");
  w.String(tenant);
  w.Key("state");
  w.String(StateName(m.StateOf(tenant, now_ns)));
  TimeOrNull(w, "next_due", m.paused() ? 0 : m.NextDue(tenant));
  TimeOrNull(w, "last_start", t.last_start_ns);
  TimeOrNull(w, "last_end", t.last_end_ns);
  TimeOrNull(w, "last_success", t.last_success_ns);
  TimeOrNull(w, "last_failure", t.last_failure_ns);
  w.Key("consecutive_failures");
  w.Int(t.consecutive_failures);
  w.Key("open_runs");
  w.BeginArray();
  for (const auto& [run_id, started] : t.open_runs) {
    w.BeginObject();
    w.Key("run_id");
    w.String(run_id);
    TimeOrNull(w, "started", started);
    w.EndObject();
  }
  w.EndArray();
  w.Key("flags");
  w.BeginObject();
  for (const auto& [flag, n] : t.flag_counts) {
    w.Key(flag);
    w.Int(n);
  }
  w.EndObject();
  w.EndObject();
}

// The job named after `prefix` in the path, with an optional "/<action>" after it.
Result<std::pair<std::string, std::string>> JobAndAction(const HttpRequest& req) {
  std::string_view rest = std::string_view(req.path).substr(kMonitorsPrefix.size());
  const size_t slash = rest.find('/');
  std::string job(rest.substr(0, slash));
  RETURN_IF_ERROR(CheckJobName(job));
  std::string action = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  return std::make_pair(std::move(job), std::move(action));
}

HttpResponse Ok(std::string_view key, std::string_view value) {
  JsonWriter w;
  w.BeginObject();
  w.Key(key);
  w.String(value);
  w.EndObject();
  return HttpResponse::Json(200, w.Take());
}

}  // namespace

void CronModule::WriteMonitor(JsonWriter& w, const Monitor& m, int64_t now_ns) const {
  const MonitorSpec& s = m.spec();
  w.BeginObject();
  w.Key("job");
  w.String(s.job);
  w.Key("source");
  w.String(s.source);
  w.Key("schedule");
  if (s.schedule.empty()) {
    w.Null();
  } else {
    w.String(s.schedule);
  }
  w.Key("tz");
  w.String(s.tz);
  SecondsOrNull(w, "interval_s", s.interval_ns);
  SecondsOrNull(w, "grace_s", s.grace_ns);
  SecondsOrNull(w, "max_runtime_s", s.max_runtime_ns);
  w.Key("failure_threshold");
  w.Int(s.failure_threshold);
  w.Key("paused");
  w.Bool(m.paused());
  w.Key("state");
  w.String(StateName(m.Overall(now_ns)));
  w.Key("tenants");
  w.BeginArray();
  for (const auto& [tenant, t] : m.trackers()) WriteTracker(w, m, tenant, t, now_ns);
  w.EndArray();
  w.EndObject();
}

Status CronModule::StoreCheckIn(const CheckIn& c, int64_t ts_ns, const RunOutcome* outcome) {
  return StoreEvent(
      [&](BatchBuilder& b, const CronFields& f) {
        const bool failed = c.kind == CheckInKind::kFail;
        static const char* const kVerb[] = {"started", "succeeded", "failed"};
        b.AddString("level", failed ? "ERROR" : "INFO");
        b.AddString("message", "cron " + c.job + " " + kVerb[static_cast<int>(c.kind)]);
        b.AddString("cron_event", CheckInEvent(c.kind));
        b.AddString(f.job, c.job);
        if (c.kind != CheckInKind::kStart) b.AddString(f.status, failed ? "failure" : "success");
        std::optional<double> duration = outcome != nullptr ? outcome->duration_ms : c.duration_ms;
        if (duration) b.AddFloat(f.duration_ms, *duration);
        if (!c.error.empty()) b.AddString(f.error, c.error);
        if (!c.run_id.empty()) b.AddString(f.run_id, c.run_id);
        if (!c.tenant.empty()) b.AddString(f.tenant, c.tenant);
        if (!c.output.empty()) b.AddString("output", c.output);
      },
      ts_ns);
}

HttpResponse CronModule::PostCheckIn(const HttpRequest& req) {
  Result<CheckIn> parsed = ParseCheckIn(req);
  if (!parsed.ok()) {
    checkins_.With({"rejected"}).Inc();
    return HttpResponse::Error(parsed.status());
  }
  const CheckIn& c = parsed.value();
  const int64_t now = ctx_.now_ns();
  std::optional<RunOutcome> outcome;
  if (c.kind == CheckInKind::kStart) {
    Result<std::string> id = engine_->Start(c.job, c.tenant, c.run_id, now);
    if (!id.ok()) return HttpResponse::Error(id.status());
  } else {
    Result<RunOutcome> r = engine_->End(c.job, c.tenant, c.run_id, now, c.kind == CheckInKind::kSuccess, c.duration_ms);
    if (!r.ok()) return HttpResponse::Error(r.status());
    outcome = std::move(r).value();
  }
  if (Status st = StoreCheckIn(c, now, outcome ? &*outcome : nullptr); !st.ok()) {
    HttpResponse res = HttpResponse::Error(503, CodeName(st.code()), "check-in not stored: " + st.message());
    res.headers.emplace_back("Retry-After", "1");
    return res;
  }
  checkins_.With({"stored"}).Inc();
  if (req.path.starts_with(kPingPrefix)) return HttpResponse::Text(200, "OK\n");
  JsonWriter w;
  w.BeginObject();
  w.Key("job");
  w.String(c.job);
  w.Key("event");
  w.String(CheckInEvent(c.kind));
  if (!c.run_id.empty()) {
    w.Key("run_id");
    w.String(c.run_id);
  }
  if (outcome && outcome->duration_ms) {
    w.Key("duration_ms");
    w.Double(*outcome->duration_ms);
  }
  if (outcome && !outcome->flags.empty()) {
    w.Key("flags");
    w.String(outcome->flags);
  }
  w.EndObject();
  return HttpResponse::Json(200, w.Take());
}

HttpResponse CronModule::ListMonitors(const HttpRequest&) {
  const int64_t now = ctx_.now_ns();
  JsonWriter w;
  w.BeginObject();
  w.Key("monitors");
  w.BeginArray();
  engine_->ForEach([&](const Monitor& m) { WriteMonitor(w, m, now); });
  w.EndArray();
  w.EndObject();
  return HttpResponse::Json(200, w.Take());
}

HttpResponse CronModule::GetMonitor(const HttpRequest& req) {
  auto ja = JobAndAction(req);
  if (!ja.ok()) return HttpResponse::Error(ja.status());
  if (!ja->second.empty()) return HttpResponse::Error(Status::NotFound("no such resource: " + req.path));
  const int64_t now = ctx_.now_ns();
  JsonWriter w;
  if (!engine_->With(ja->first, [&](const Monitor& m) { WriteMonitor(w, m, now); })) {
    return HttpResponse::Error(Status::NotFound("no monitor for job '" + ja->first + "'"));
  }
  return HttpResponse::Json(200, w.Take());
}

HttpResponse CronModule::PutMonitor(const HttpRequest& req) {
  auto ja = JobAndAction(req);
  if (!ja.ok()) return HttpResponse::Error(ja.status());
  if (!ja->second.empty()) return HttpResponse::Error(Status::NotFound("no such resource: " + req.path));
  Result<Params> params = RequestParams(req, nullptr);
  if (!params.ok()) return HttpResponse::Error(params.status());
  Result<MonitorSpec> spec = ParseMonitorSpec(ja->first, params.value());
  if (!spec.ok()) return HttpResponse::Error(spec.status());
  bool created = false;
  if (Status st = engine_->Put(std::move(spec).value(), ctx_.now_ns(), &created); !st.ok()) {
    return HttpResponse::Error(st);
  }
  HttpResponse res = GetMonitor(req);
  if (created && res.status == 200) res.status = 201;
  return res;
}

HttpResponse CronModule::DeleteMonitor(const HttpRequest& req) {
  auto ja = JobAndAction(req);
  if (!ja.ok()) return HttpResponse::Error(ja.status());
  if (!ja->second.empty()) return HttpResponse::Error(Status::NotFound("no such resource: " + req.path));
  if (Status st = engine_->Delete(ja->first); !st.ok()) return HttpResponse::Error(st);
  return Ok("deleted", ja->first);
}

HttpResponse CronModule::PostMonitorAction(const HttpRequest& req) {
  auto ja = JobAndAction(req);
  if (!ja.ok()) return HttpResponse::Error(ja.status());
  const std::string& action = ja->second;
  if (action != "pause" && action != "resume") {
    return HttpResponse::Error(Status::NotFound("unknown monitor action '" + action + "' (expected pause or resume)"));
  }
  if (Status st = engine_->SetPaused(ja->first, action == "pause", ctx_.now_ns()); !st.ok()) {
    return HttpResponse::Error(st);
  }
  HttpRequest get = req;
  get.path = kMonitorsPrefix + ja->first;
  return GetMonitor(get);
}

}  // namespace vigil::cron
