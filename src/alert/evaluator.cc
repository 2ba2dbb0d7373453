#include "alert/evaluator.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "alert/series_reader.h"
#include "alert/template.h"

namespace vigil::alert {

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr size_t kMaxQueryRows = 1'000'000;

int64_t FloorTo(int64_t t, int64_t p) {
  int64_t q = t / p;
  if (t % p != 0 && t < 0) --q;
  return q * p;
}

std::string Millis(int64_t ns) { return std::to_string(ns / 1'000'000); }

}  // namespace

struct Instance {
  std::map<std::string, std::string> group_labels;
  InstanceState st;
};

struct Evaluator::RuleState {
  Rule rule;
  int64_t next_due_ns = 0;
  // Binned rules: closed periods [cached_from, cached_to) whose values are known; a period
  // without an entry for an instance had no data for it.
  int64_t cached_from = 0;
  int64_t cached_to = 0;
  std::map<int64_t, std::map<std::string, double>> cache;
  int64_t late_min = kNever;  // smallest timestamp stored since the cache was last cut
  std::map<std::string, Instance> instances;
  std::string last_error;

  void CutCache(int64_t from_ts) {
    if (from_ts >= cached_to) return;
    cached_to = std::max(cached_from, FloorTo(from_ts, rule.period_ns));
    cache.erase(cache.lower_bound(cached_to), cache.end());
  }
  void ClearCache() {
    cached_from = cached_to = 0;
    cache.clear();
  }
};

// One evaluation's inputs (collected without the lock) and outputs (applied after it).
struct Evaluator::Pass {
  int n = 0;
  int64_t window_start = 0;  // binned: start of the oldest period; windowed: now - N*p
  int first_fresh = 0;       // binned: slots before this come from the cache
  bool grouped = false;      // the query has group keys
  // slot (0 = oldest) -> instance -> value, for the slots queried now.
  std::map<int, std::map<std::string, double>> fresh;
  std::map<std::string, std::map<std::string, std::string>> labels;  // instance -> group labels

  std::vector<StoredInstance> upserts;
  std::vector<std::pair<std::string, std::string>> removed;
  std::vector<HistoryEntry> history;
  std::vector<AlertNotice> notices;
  BatchBuilder events;
};

Evaluator::Evaluator(EvaluatorDeps deps) : deps_(std::move(deps)) {}
Evaluator::~Evaluator() = default;

Result<std::unique_ptr<Evaluator>> Evaluator::Create(EvaluatorDeps deps) {
  if (deps.store == nullptr || deps.queries == nullptr) {
    return Status::InvalidArgument("evaluator: store and queries are required");
  }
  std::unique_ptr<Evaluator> e(new Evaluator(std::move(deps)));
  ASSIGN_OR_RETURN(std::vector<StoredInstance> loaded, e->deps_.store->LoadInstances());
  for (StoredInstance& i : loaded) e->orphans_[i.rule].push_back(std::move(i));
  return e;
}

std::string Evaluator::Link(const Rule& rule, int64_t start_ns, int64_t end_ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  return LinkLocked(rule, start_ns, end_ns);
}

std::string Evaluator::LinkLocked(const Rule& rule, int64_t start_ns, int64_t end_ns) const {
  return external_url_ + "/api/v1/alarms/" + rule.name + "/query?start=" + Millis(start_ns) +
         "&end=" + Millis(end_ns);
}

namespace {

// Labels and annotations of a notice, templates expanded.
void Decorate(const Rule& rule, const std::map<std::string, std::string>& group_labels,
              const std::string& instance, const std::string& link, AlertNotice& n) {
  TemplateVars vars;
  vars.value = n.has_value ? FormatNumber(n.value) : "";
  vars.threshold = FormatNumber(rule.threshold);
  vars.rule = rule.name;
  vars.state = AlarmStateName(n.state);
  vars.instance = instance;
  vars.link = link;
  vars.labels = group_labels;
  n.labels = group_labels;
  for (const auto& [k, v] : rule.labels) n.labels[k] = ExpandTemplate(v, vars);
  n.labels["alertname"] = rule.name;
  vars.labels = n.labels;
  for (const auto& [k, v] : rule.annotations) n.annotations[k] = ExpandTemplate(v, vars);
  n.link = link;
}

void AddEvent(BatchBuilder& b, int64_t now, const std::string& rule, const std::string& instance,
              std::string_view event, const std::map<std::string, std::string>& labels) {
  b.BeginRow();
  b.AddInt("@timestamp", now);
  b.AddString("@kind", "alarm_history");
  b.AddString("alarm", rule);
  b.AddString("instance", instance);
  b.AddString("event", event);
  for (const auto& [k, v] : labels) b.AddString("labels." + k, v);
}

}  // namespace

Status Evaluator::SetRules(std::vector<Rule> rules, int64_t default_interval_ns,
                           std::string external_url, int64_t now) {
  Pass pass;
  {
    std::lock_guard<std::mutex> lock(mu_);
    default_interval_ns_ = default_interval_ns;
    external_url_ = std::move(external_url);
    std::map<std::string, std::unique_ptr<RuleState>, std::less<>> next;
    for (Rule& r : rules) {
      auto it = rules_.find(r.name);
      std::unique_ptr<RuleState> rs;
      if (it != rules_.end()) {
        rs = std::move(it->second);
        rules_.erase(it);
        if (!rs->rule.SameQuery(r)) rs->ClearCache();
        if (RuleToYaml(rs->rule) != RuleToYaml(r)) rs->next_due_ns = now;  // changed: run it now
      } else {
        rs = std::make_unique<RuleState>();
        rs->next_due_ns = now;
        for (StoredInstance& i : orphans_[r.name]) {
          rs->instances[i.instance] = Instance{std::move(i.group_labels), i.st};
        }
        orphans_.erase(r.name);
      }
      rs->rule = std::move(r);
      // A shorter interval applies from now on, not after the old one has run out.
      const int64_t interval = rs->rule.evaluation_interval_ns > 0 ? rs->rule.evaluation_interval_ns
                                                                   : default_interval_ns;
      rs->next_due_ns = std::min(rs->next_due_ns, now + interval);
      std::string name = rs->rule.name;
      next[name] = std::move(rs);
    }
    // What is left belongs to rules that no longer exist.
    for (auto& [name, rs] : rules_) {
      for (auto& [id, inst] : rs->instances) orphans_[name].push_back({name, id, inst.group_labels, inst.st});
    }
    rules_ = std::move(next);
    for (auto& [name, list] : orphans_) {
      for (StoredInstance& i : list) {
        pass.removed.emplace_back(name, i.instance);
        pass.history.push_back({now, name, i.instance, "rule_removed", "", AlarmStateName(i.st.state),
                                i.st.value, "the rule no longer exists"});
        if (i.st.state != AlarmState::kAlarm) continue;
        AlertNotice n;
        n.rule = name;
        n.instance = i.instance;
        n.labels = i.group_labels;
        n.labels["alertname"] = name;
        n.annotations["summary"] = "rule " + name + " was removed";
        n.state = AlarmState::kOk;
        n.previous = AlarmState::kAlarm;
        n.starts_at_ns = i.st.firing_since_ns;
        n.ends_at_ns = n.at_ns = now;
        pass.notices.push_back(std::move(n));
      }
    }
    orphans_.clear();
  }
  return Finish(pass);
}

int64_t Evaluator::RunDue(int64_t now) {
  std::vector<std::string> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, rs] : rules_) {
      if (rs->next_due_ns > now) continue;
      due.push_back(name);
      int64_t interval = rs->rule.evaluation_interval_ns > 0 ? rs->rule.evaluation_interval_ns
                                                             : default_interval_ns_;
      rs->next_due_ns = now + interval;
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (const std::string& name : due) {
    Status s = Run(name, now);
    (void)s;  // logged and recorded by Run; the other rules still run
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
  std::lock_guard<std::mutex> lock(mu_);
  if (!due.empty()) {
    ++stats_.passes;
    stats_.evaluation_seconds += took.count();
    stats_.last_pass_seconds = took.count();
    stats_.last_pass_rules = due.size();
  }
  int64_t next = kNever;
  for (auto& [name, rs] : rules_) next = std::min(next, rs->next_due_ns);
  return next;
}

Status Evaluator::Evaluate(const std::string& rule, int64_t now) { return Run(rule, now); }

void Evaluator::NoteStored(int64_t min_ts_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  // Not filtered by the cached range: an evaluation whose query is running may be about
  // to cache periods this batch falls in (Run cuts them again after its query).
  for (auto& [name, rs] : rules_) {
    if (rs->rule.binned) rs->late_min = std::min(rs->late_min, min_ts_ns);
  }
}

Status Evaluator::Run(const std::string& name, int64_t now) {
  std::lock_guard<std::mutex> run_lock(run_mu_);
  Rule rule;
  Pass pass;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = rules_.find(name);
    if (it == rules_.end()) return Status::NotFound("no rule named \"" + name + "\"");
    RuleState& rs = *it->second;
    rs.CutCache(rs.late_min);
    rs.late_min = kNever;
    rule = rs.rule;
    // The cache is read here, under the lock, only to learn which periods it covers.
    pass.n = rule.evaluation_periods;
    if (rule.binned) {
      const int64_t p = rule.period_ns;
      pass.window_start = FloorTo(now, p) - (pass.n - 1) * p;
      int64_t from = pass.window_start;
      const int64_t open_period = pass.window_start + (pass.n - 1) * p;
      // (A cache beyond the open period means the clock went back: query everything.)
      if (rs.cached_from <= from && rs.cached_to > from && rs.cached_to <= open_period) {
        from = rs.cached_to;
      }
      pass.first_fresh = static_cast<int>((from - pass.window_start) / p);
    }
  }
  Status s = Collect(rule, now, pass);
  std::unique_lock<std::mutex> lock(mu_);
  auto it = rules_.find(name);
  if (it == rules_.end() || !it->second->rule.SameQuery(rule)) return Status::OK();  // replaced
  RuleState& rs = *it->second;
  ++stats_.evaluations;
  if (!s.ok()) {
    ++stats_.failures;
    if (rs.last_error != s.message()) {
      rs.last_error = s.message();
      if (deps_.log) deps_.log("alarm rule " + name + ": evaluation failed: " + s.message());
      pass.history.push_back({now, name, "", "error", "", "", std::nullopt, s.message()});
    }
  } else {
    rs.last_error.clear();
    Judge(rule, rs, now, pass);
  }
  lock.unlock();
  Status f = Finish(pass);
  return s.ok() ? f : s;
}

Status Evaluator::Collect(const Rule& rule, int64_t now, Pass& pass) {
  const int64_t p = rule.period_ns;
  auto run = [&](int64_t start, int64_t end, const std::function<int(int64_t bin)>& slot_of) -> Status {
    QueryRequest req;
    req.text = rule.query;
    req.start_ns = start;
    req.end_ns = end;
    req.now_ns = now;
    req.max_rows = kMaxQueryRows;
    Result<QueryResult> r = deps_.queries->Run(req);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.queries;
    }
    if (!r.ok()) return r.status();
    ASSIGN_OR_RETURN(SeriesTable t, ReadSeries(r.value(), rule.binned));
    pass.grouped = pass.grouped || t.grouped;
    for (SeriesRow& row : t.rows) {
      const int slot = slot_of(row.bin);
      if (slot < 0 || slot >= pass.n) continue;
      if (!pass.fresh[slot].emplace(row.instance, row.value).second) {
        return Status::InvalidArgument("the query returned two rows for one period of instance '" +
                                       row.instance + "' (is its bin() the rule's period?)");
      }
      pass.labels.emplace(row.instance, std::move(row.labels));
    }
    if (pass.labels.size() > kMaxInstancesPerRule) {
      return Status::ResourceExhausted("the query returned more than " + std::to_string(kMaxInstancesPerRule) +
                                       " groups; a rule may have at most that many instances");
    }
    return Status::OK();
  };
  if (rule.binned) {
    const int64_t from = pass.window_start + pass.first_fresh * p;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.periods_queried += pass.n - pass.first_fresh;
      stats_.periods_cached += pass.first_fresh;
    }
    return run(from, now, [&](int64_t bin) {
      return static_cast<int>((FloorTo(bin, p) - pass.window_start) / p);
    });
  }
  pass.window_start = now - pass.n * p;
  for (int k = 0; k < pass.n; ++k) {
    const int64_t end = now - k * p;
    RETURN_IF_ERROR(run(end - p + 1, end, [&](int64_t) { return pass.n - 1 - k; }));
  }
  return Status::OK();
}

void Evaluator::Judge(const Rule& rule, RuleState& rs, int64_t now, Pass& pass) {
  const int64_t p = rule.period_ns;
  // New closed periods go into the cache (the newest slot is still open).
  if (rule.binned) {
    for (int slot = pass.first_fresh; slot < pass.n - 1; ++slot) {
      rs.cache[pass.window_start + slot * p] = pass.fresh[slot];
    }
    rs.cache.erase(rs.cache.begin(), rs.cache.lower_bound(pass.window_start));
    rs.cached_from = pass.window_start;
    rs.cached_to = pass.window_start + (pass.n - 1) * p;
    rs.CutCache(rs.late_min);  // events stored while the query ran
  }
  for (auto& [id, labels] : pass.labels) {
    if (!rs.instances.count(id)) rs.instances[id].group_labels = labels;
  }
  if (!pass.grouped) rs.instances[""];  // an ungrouped rule always has its one instance
  const int64_t forget_before = now - std::max(kForgetAfterNs, 2 * rule.window_ns());
  for (auto it = rs.instances.begin(); it != rs.instances.end();) {
    const std::string& id = it->first;
    Instance& inst = it->second;
    std::vector<Datapoint> points(pass.n);
    for (int slot = 0; slot < pass.n; ++slot) {
      const std::map<std::string, double>* values = nullptr;
      if (rule.binned && slot < pass.first_fresh) {
        auto c = rs.cache.find(pass.window_start + slot * p);
        if (c != rs.cache.end()) values = &c->second;
      } else {
        auto f = pass.fresh.find(slot);
        if (f != pass.fresh.end()) values = &f->second;
      }
      if (values == nullptr) continue;
      auto v = values->find(id);
      if (v != values->end()) points[slot] = Datapoint{true, v->second};
    }
    const Decision d = Decide(rule, points);
    const InstanceState before = inst.st;
    const int64_t seen = before.last_data_ns != 0 ? before.last_data_ns : before.since_ns;
    if (d.present == 0 && seen < forget_before && !id.empty()) {
      AlertNotice n;
      n.state = AlarmState::kOk;
      n.previous = before.state;
      n.starts_at_ns = before.firing_since_ns;
      n.ends_at_ns = n.at_ns = now;
      pass.history.push_back({now, rule.name, id, "forgotten", "", AlarmStateName(before.state),
                              before.value, "no data since " + Millis(seen) + " ms"});
      if (before.state == AlarmState::kAlarm) {
        n.rule = rule.name;
        n.instance = id;
        n.send_resolved = rule.send_resolved;
        Decorate(rule, inst.group_labels, id, LinkLocked(rule, pass.window_start, now), n);
        pass.notices.push_back(std::move(n));
      }
      pass.removed.emplace_back(rule.name, id);
      it = rs.instances.erase(it);
      continue;
    }
    inst.st = Step(rule, before, d.verdict, d.value, now);
    AlertNotice n;
    n.rule = rule.name;
    n.instance = id;
    n.state = inst.st.state;
    n.previous = before.state;
    n.has_value = d.value.has_value();
    n.value = d.value.value_or(0);
    n.at_ns = now;
    n.send_resolved = rule.send_resolved;
    n.starts_at_ns = inst.st.state == AlarmState::kAlarm ? inst.st.firing_since_ns : before.firing_since_ns;
    if (inst.st.state != AlarmState::kAlarm) n.ends_at_ns = now;
    const std::string link = LinkLocked(rule, pass.window_start, now);
    Decorate(rule, inst.group_labels, id, link, n);

    if (d.value) {  // an evaluation without any number is not worth an event
      AddEvent(pass.events, now, rule.name, id, "evaluation", n.labels);
      pass.events.AddString("state", AlarmStateName(inst.st.state));
      pass.events.AddFloat("value", *d.value);
      pass.events.AddFloat("threshold", rule.threshold);
      pass.events.AddInt("breaching", d.breaching);
      pass.events.AddInt("present", d.present);
      pass.events.EndRow();
    }
    if (inst.st.state != before.state) {
      pass.history.push_back({now, rule.name, id, "state_change", AlarmStateName(inst.st.state),
                              AlarmStateName(before.state), d.value, ""});
      AddEvent(pass.events, now, rule.name, id, "state_change", n.labels);
      pass.events.AddString("state", AlarmStateName(inst.st.state));
      pass.events.AddString("previous", AlarmStateName(before.state));
      if (d.value) pass.events.AddFloat("value", *d.value);
      pass.events.EndRow();
      if (inst.st.state == AlarmState::kAlarm || before.state == AlarmState::kAlarm) {
        pass.notices.push_back(n);
      }
    }
    pass.upserts.push_back({rule.name, id, inst.group_labels, inst.st});
    ++it;
  }
}

Status Evaluator::Finish(Pass& pass) {
  for (const AlertNotice& n : pass.notices) {
    std::string why;
    if (n.state == AlarmState::kAlarm && deps_.muted && deps_.muted(n.labels, &why)) {
      // The dispatcher stores the `silenced` event; the alarm's own history shows it too.
      pass.history.push_back({n.at_ns, n.rule, n.instance, "silenced", AlarmStateName(n.state),
                              AlarmStateName(n.previous), std::nullopt, why});
    }
    if (deps_.sink == nullptr) continue;
    if (Status s = deps_.sink->Enqueue(n); !s.ok() && deps_.log) {
      deps_.log("alarm " + n.rule + " " + n.instance + ": notification not queued: " + s.message());
    }
  }
  Status s = deps_.store->Commit(pass.upserts, pass.removed, pass.history);
  if (!s.ok() && deps_.log) deps_.log("alarm state not saved: " + s.message());
  if (deps_.ingest && pass.events.rows() > 0) {
    Status e = deps_.ingest(pass.events.Finish());
    if (!e.ok() && deps_.log) deps_.log("alarm history events not stored: " + e.message());
  }
  return s;
}

std::vector<Rule> Evaluator::Rules() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Rule> out;
  for (const auto& [name, rs] : rules_) out.push_back(rs->rule);
  return out;
}

std::optional<Rule> Evaluator::FindRule(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rules_.find(name);
  if (it == rules_.end()) return std::nullopt;
  return it->second->rule;
}

std::vector<InstanceView> Evaluator::Instances(std::string_view rule) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<InstanceView> out;
  for (const auto& [name, rs] : rules_) {
    if (!rule.empty() && name != rule) continue;
    for (const auto& [id, inst] : rs->instances) {
      InstanceView v{name, id, inst.group_labels, inst.st};
      for (const auto& [k, val] : rs->rule.labels) v.labels.emplace(k, val);
      v.labels["alertname"] = name;
      out.push_back(std::move(v));
    }
  }
  return out;
}

EvaluatorStats Evaluator::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace vigil::alert
