#include "cron/cron_views.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <variant>

#include "core/timestamp.h"

namespace vigil::cron {

namespace {

std::string Text(const Value& v) {
  if (const auto* s = std::get_if<std::string>(&v.v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v.v)) return std::to_string(*i);
  return "";
}

std::optional<double> Number(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v.v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v.v)) return std::isfinite(*d) ? std::optional<double>(*d) : std::nullopt;
  return std::nullopt;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

struct Scheduled {
  Schedule schedule;
  int64_t grace_ns;
};

// too_long / too_short per (job, tenant), too_often for jobs with a schedule.
void FlagRuns(const FlagRules& rules, const std::map<std::string, Scheduled>& schedules,
              std::vector<RunRow>* runs) {
  std::map<std::pair<std::string, std::string>, std::deque<double>> recent;
  std::map<std::pair<std::string, std::string>, int64_t> last_start;
  for (RunRow& r : *runs) {
    const auto key = std::make_pair(r.job, r.tenant);
    std::string_view length;
    if (r.duration_ms) length = DurationFlag(rules, &recent[key], *r.duration_ms);
    std::string_view often;
    auto s = schedules.find(r.job);
    if (s != schedules.end()) {
      auto prev = last_start.find(key);
      if (prev != last_start.end() && TooOften(s->second.schedule, s->second.grace_ns, prev->second, r.start_ns())) {
        often = kTooOften;
      }
      last_start[key] = std::max(prev == last_start.end() ? r.start_ns() : prev->second, r.start_ns());
    }
    r.flags = JoinFlags(length, often);
  }
}

}  // namespace

Result<std::vector<RunRow>> LoadRuns(Store& store, const QueryOptions& options, const CronConfig& config,
                                     const Engine& engine, int64_t min_ns, int64_t max_ns, int64_t now_ns) {
  const CronFields& f = config.fields;
  QueryRequest req;
  req.text = "filter ispresent(" + f.job + ") and ispresent(" + f.status + ") | fields @timestamp, " + f.job +
             ", " + f.status + ", " + f.duration_ms + ", " + f.error + ", " + f.tenant + ", " + f.run_id +
             ", @tenant | sort @timestamp asc";
  req.start_ns = min_ns;
  req.end_ns = max_ns;
  req.now_ns = now_ns;
  req.max_rows = config.max_runs + 1;
  ASSIGN_OR_RETURN(QueryResult result, RunQuery(store, req, options));
  if (result.rows.size() > config.max_runs) {
    return Status::ResourceExhausted("more than " + std::to_string(config.max_runs) +
                                     " cron events in the time range; narrow it (or raise cron.max_runs)");
  }
  std::vector<RunRow> runs;
  for (const std::vector<Value>& row : result.rows) {
    RunRow r;
    // Only a string status is an outcome: request events' numeric status never is.
    const auto* status = std::get_if<std::string>(&row[2].v);
    r.status = status != nullptr ? NormalizeOutcome(config, *status) : "";
    if (const auto* job = std::get_if<std::string>(&row[1].v)) r.job = *job;  // a string, as on ingest
    const auto* ts = std::get_if<int64_t>(&row[0].v);
    if (r.status.empty() || r.job.empty() || ts == nullptr) continue;  // a job's log line, not a run
    r.ts_ns = *ts;
    r.duration_ms = Number(row[3]);
    r.error = Text(row[4]);
    r.tenant = Text(row[5]);
    r.run_id = Text(row[6]);
    r.at_tenant = Text(row[7]);
    runs.push_back(std::move(r));
  }
  std::map<std::string, Scheduled> schedules;
  engine.ForEach([&](const Monitor& m) {
    if (m.spec().source != "checkin") schedules.emplace(m.spec().job, Scheduled{m.schedule(), m.spec().grace_ns});
  });
  FlagRuns(config.flags, schedules, &runs);
  return runs;
}

std::string LogsQuery(const RunRow& run, const CronFields& fields) {
  if (!run.run_id.empty()) return "filter " + fields.run_id + " = " + Quote(run.run_id);
  std::string q = "filter " + fields.job + " = " + Quote(run.job);
  if (!run.tenant.empty()) q += " and " + fields.tenant + " = " + Quote(run.tenant);
  q += " and @timestamp >= " + Quote(FormatIsoMillis(run.start_ns() - kSecondNs));
  q += " and @timestamp <= " + Quote(FormatIsoMillis(run.ts_ns + kSecondNs));
  return q;
}

Batch RunsTable(const std::vector<RunRow>& runs, const CronFields& fields) {
  BatchBuilder b;
  auto add = [&b](std::string_view name, const std::string& v) {
    if (!v.empty()) b.AddString(name, v);
  };
  for (const RunRow& r : runs) {
    b.BeginRow();
    b.AddInt("@timestamp", r.ts_ns);
    b.AddInt("run_at", r.ts_ns);
    b.AddString("job_name", r.job);
    add("db_name", r.tenant);
    b.AddString("status", r.status);
    if (r.duration_ms) b.AddFloat("duration_ms", *r.duration_ms);
    add("error_message", r.error);
    add("run_id", r.run_id);
    add("@tenant", r.at_tenant);
    add("flags", r.flags);
    b.AddString("logs_query", LogsQuery(r, fields));
    b.EndRow();
  }
  return b.Finish();
}

namespace {

struct JobStats {
  int64_t runs = 0;
  int64_t failures = 0;
  int64_t flagged = 0;
  int64_t last_run = 0;
  std::string last_status;
  int64_t last_failure = 0;
  std::vector<double> durations;
};

// Nearest rank: the smallest value with at least 95% of the values at or below it.
std::optional<double> P95(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(0.95 * static_cast<double>(v.size())));
  return v[std::max<size_t>(rank, 1) - 1];
}

void AddJobRow(BatchBuilder& b, const std::string& job, const std::string& tenant, const JobStats& s,
               const Monitor* m, int64_t now_ns) {
  b.BeginRow();
  b.AddString("job_name", job);
  if (!tenant.empty()) b.AddString("tenant", tenant);
  b.AddInt("runs", s.runs);
  b.AddInt("failures", s.failures);
  if (s.runs > 0) b.AddFloat("failure_rate", static_cast<double>(s.failures) / static_cast<double>(s.runs));
  if (s.last_run > 0) b.AddInt("last_run", s.last_run);
  if (!s.last_status.empty()) b.AddString("last_status", s.last_status);
  if (s.last_failure > 0) b.AddInt("last_failure", s.last_failure);
  if (auto p = P95(s.durations)) b.AddFloat("p95_duration_ms", *p);
  b.AddInt("flagged", s.flagged);
  if (m != nullptr) {
    b.AddString("state", StateName(m->StateOf(tenant, now_ns)));
    const int64_t due = m->NextDue(tenant);
    if (due != std::numeric_limits<int64_t>::max() && !m->paused()) b.AddInt("next_due", due);
    const MonitorSpec& spec = m->spec();
    if (!spec.schedule.empty()) b.AddString("schedule", spec.schedule);
    if (spec.interval_ns > 0) b.AddString("schedule", "every " + std::to_string(spec.interval_ns / kSecondNs) + "s");
  } else if (!s.last_status.empty()) {
    // No monitor: nothing is expected, so the state is the last outcome's.
    b.AddString("state", s.last_status == "success" ? "up" : "failing");
  }
  b.EndRow();
}

}  // namespace

Batch JobsTable(const std::vector<RunRow>& runs, const Engine& engine, int64_t now_ns) {
  std::map<std::pair<std::string, std::string>, JobStats> stats;
  for (const RunRow& r : runs) {
    JobStats& s = stats[{r.job, r.tenant}];
    ++s.runs;
    if (!r.flags.empty()) ++s.flagged;
    if (r.duration_ms) s.durations.push_back(*r.duration_ms);
    if (r.ts_ns >= s.last_run) {
      s.last_run = r.ts_ns;
      s.last_status = r.status;
    }
    if (r.status != "success") {
      ++s.failures;
      s.last_failure = std::max(s.last_failure, r.ts_ns);
    }
  }
  BatchBuilder b;
  engine.ForEach([&](const Monitor& m) {
    for (const auto& [tenant, t] : m.trackers()) stats[{m.spec().job, tenant}];  // monitored, maybe no runs
  });
  for (const auto& [key, s] : stats) {
    const bool found = engine.With(key.first, [&](const Monitor& m) { AddJobRow(b, key.first, key.second, s, &m, now_ns); });
    if (!found) AddJobRow(b, key.first, key.second, s, nullptr, now_ns);
  }
  return b.Finish();
}

}  // namespace vigil::cron
