#include "alert/alarms_api.h"

#include <charconv>

#include "alert/template.h"
#include "core/timestamp.h"
#include "server/json_writer.h"
#include "server/query_codec.h"
#include "server/time_arg.h"

namespace vigil::alert {

namespace {

constexpr std::string_view kAlarmsPrefix = "/api/v1/alarms/";
constexpr std::string_view kRulesPrefix = "/api/v1/alarms/rules/";

void Time(JsonWriter& w, std::string_view key, int64_t ns) {
  w.Key(key);
  if (ns == 0) {
    w.Null();
  } else {
    w.String(FormatIsoMillis(ns));
  }
}

void OptNumber(JsonWriter& w, std::string_view key, const std::optional<double>& v) {
  w.Key(key);
  if (v) {
    w.Double(*v);
  } else {
    w.Null();
  }
}

void StringMap(JsonWriter& w, std::string_view key, const std::map<std::string, std::string>& m) {
  w.Key(key);
  w.BeginObject();
  for (const auto& [k, v] : m) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
}

void WriteRule(JsonWriter& w, const Rule& r, const std::string& link) {
  w.BeginObject();
  w.Key("name");
  w.String(r.name);
  w.Key("origin");
  w.String(RuleOriginName(r.origin));
  w.Key("query");
  w.String(r.query);
  w.Key("mode");
  w.String(r.binned ? "binned" : "windowed");
  w.Key("period");
  w.String(FormatDuration(r.period_ns));
  w.Key("evaluation_periods");
  w.Int(r.evaluation_periods);
  w.Key("datapoints_to_alarm");
  w.Int(r.datapoints_to_alarm);
  w.Key("comparison");
  w.String(ComparisonName(r.comparison));
  w.Key("threshold");
  w.Double(r.threshold);
  w.Key("treat_missing_data");
  w.String(MissingDataName(r.missing));
  w.Key("for");
  w.String(FormatDuration(r.for_ns));
  w.Key("keep_firing_for");
  w.String(FormatDuration(r.keep_firing_for_ns));
  w.Key("evaluation_interval");
  if (r.evaluation_interval_ns > 0) {
    w.String(FormatDuration(r.evaluation_interval_ns));
  } else {
    w.Null();
  }
  w.Key("send_resolved");
  w.Bool(r.send_resolved);
  StringMap(w, "labels", r.labels);
  StringMap(w, "annotations", r.annotations);
  w.Key("link");
  w.String(link);
  w.EndObject();
}

void WriteInstance(JsonWriter& w, const InstanceView& i) {
  w.BeginObject();
  w.Key("alarm");
  w.String(i.rule);
  w.Key("instance");
  w.String(i.instance);
  w.Key("state");
  w.String(AlarmStateName(i.st.state));
  OptNumber(w, "value", i.st.value);
  Time(w, "since", i.st.since_ns);
  Time(w, "pending_since", i.st.pending_since_ns);
  Time(w, "firing_since", i.st.firing_since_ns);
  Time(w, "last_breach", i.st.last_breach_ns);
  Time(w, "last_evaluated", i.st.last_eval_ns);
  StringMap(w, "labels", i.labels);
  w.EndObject();
}

void WriteHistory(JsonWriter& w, const HistoryEntry& h) {
  w.BeginObject();
  Time(w, "at", h.at_ns);
  w.Key("instance");
  w.String(h.instance);
  w.Key("event");
  w.String(h.event);
  w.Key("state");
  w.String(h.state);
  w.Key("previous");
  w.String(h.previous);
  OptNumber(w, "value", h.value);
  w.Key("detail");
  w.String(h.detail);
  w.EndObject();
}

Result<int> ParseLimit(const HttpRequest& req) {
  auto text = req.Query("limit");
  if (!text) return Evaluator::kDefaultHistoryLimit;
  int n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || n < 1 || n > AlarmStore::kHistoryPerRule) {
    return Status::InvalidArgument("limit: expected a whole number from 1 to " +
                                   std::to_string(AlarmStore::kHistoryPerRule));
  }
  return n;
}

class Handlers {
 public:
  explicit Handlers(const AlarmsApiDeps& d) : d_(d) {}

  HttpResponse List(const HttpRequest&) const {
    JsonWriter w;
    w.BeginObject();
    w.Key("alarms");
    w.BeginArray();
    for (const InstanceView& i : d_.evaluator.Instances()) WriteInstance(w, i);
    w.EndArray();
    w.EndObject();
    return HttpResponse::Json(200, w.Take());
  }

  HttpResponse Rules(const HttpRequest&) const {
    JsonWriter w;
    w.BeginObject();
    w.Key("rules");
    w.BeginArray();
    const int64_t now = d_.now_ns();
    for (const Rule& r : d_.evaluator.Rules()) WriteRule(w, r, d_.evaluator.Link(r, now - r.window_ns(), now));
    w.EndArray();
    w.EndObject();
    return HttpResponse::Json(200, w.Take());
  }

  // GET /api/v1/alarms/<name> and /api/v1/alarms/<name>/query.
  HttpResponse Get(const HttpRequest& req) const {
    std::string_view rest = std::string_view(req.path).substr(kAlarmsPrefix.size());
    std::string_view name = rest.substr(0, rest.find('/'));
    std::string_view tail = rest.substr(name.size());
    std::optional<Rule> rule = d_.evaluator.FindRule(name);
    if (!rule) return HttpResponse::Error(Status::NotFound("no alarm rule named \"" + std::string(name) + "\""));
    if (tail == "/query") return Query(req, *rule);
    if (!tail.empty() && tail != "/") return HttpResponse::Error(Status::NotFound("no such alarms route: " + req.path));
    Result<int> limit = ParseLimit(req);
    if (!limit.ok()) return HttpResponse::Error(limit.status());
    Result<std::vector<HistoryEntry>> history = d_.store.History(rule->name, limit.value());
    if (!history.ok()) return HttpResponse::Error(history.status());
    JsonWriter w;
    const int64_t now = d_.now_ns();
    w.BeginObject();
    w.Key("rule");
    WriteRule(w, *rule, d_.evaluator.Link(*rule, now - rule->window_ns(), now));
    w.Key("instances");
    w.BeginArray();
    for (const InstanceView& i : d_.evaluator.Instances(rule->name)) WriteInstance(w, i);
    w.EndArray();
    w.Key("history");
    w.BeginArray();
    for (const HistoryEntry& h : history.value()) WriteHistory(w, h);
    w.EndArray();
    w.EndObject();
    return HttpResponse::Json(200, w.Take());
  }

  // The alarm link: the rule's query over ?start=&end= (epoch ms, ISO 8601 or relative).
  HttpResponse Query(const HttpRequest& req, const Rule& rule) const {
    const int64_t now = d_.now_ns();
    QueryRequest q;
    q.text = rule.query;
    q.now_ns = now;
    q.start_ns = now - rule.window_ns();
    q.end_ns = now;
    for (auto [param, field] : {std::pair{"start", &q.start_ns}, std::pair{"end", &q.end_ns}}) {
      auto text = req.Query(param);
      if (!text) continue;
      Result<int64_t> t = ParseTimeArg(*text, now);
      if (!t.ok()) return HttpResponse::Error(Status::InvalidArgument(std::string(param) + ": " + t.status().message()));
      *field = t.value();
    }
    Result<QueryResult> r = RunQuery(d_.events, q, d_.query_options);
    if (!r.ok()) return HttpResponse::Error(r.status());
    return HttpResponse::Json(200, RenderQueryResult(r.value()));
  }

  HttpResponse Create(const HttpRequest& req) const { return PutRule(req, "", true); }

  HttpResponse Replace(const HttpRequest& req) const {
    std::string_view name = std::string_view(req.path).substr(kRulesPrefix.size());
    if (name.empty()) {
      return HttpResponse::Error(Status::InvalidArgument("PUT needs the rule's name: /api/v1/alarms/rules/<name>"));
    }
    return PutRule(req, name, false);
  }

  HttpResponse PutRule(const HttpRequest& req, std::string_view name, bool create_only) const {
    if (req.body.empty()) return HttpResponse::Error(Status::InvalidArgument("empty body: send the rule as JSON or YAML"));
    Result<Rule> r = d_.rules.Put(req.body, name, create_only);
    if (!r.ok()) return HttpResponse::Error(r.status());
    JsonWriter w;
    const int64_t now = d_.now_ns();
    WriteRule(w, r.value(), d_.evaluator.Link(r.value(), now - r->window_ns(), now));
    return HttpResponse::Json(create_only ? 201 : 200, w.Take());
  }

  HttpResponse Delete(const HttpRequest& req) const {
    std::string name(std::string_view(req.path).substr(kRulesPrefix.size()));
    Status s = d_.rules.Delete(name);
    if (!s.ok()) return HttpResponse::Error(s);
    return HttpResponse::Json(200, "{\"deleted\":true}");
  }

 private:
  AlarmsApiDeps d_;
};

}  // namespace

void RegisterAlarmsApi(const AlarmsApiDeps& deps, Router& router) {
  auto h = std::make_shared<Handlers>(deps);
  auto guard = [&](Access need, HttpResponse (Handlers::*m)(const HttpRequest&) const) {
    return Guard(deps.auth, need, [h, m](const HttpRequest& r) { return ((*h).*m)(r); });
  };
  router.Add("GET", "/api/v1/alarms", guard(Access::kRead, &Handlers::List));
  router.Add("GET", "/api/v1/alarms/rules", guard(Access::kRead, &Handlers::Rules));
  router.Add("POST", "/api/v1/alarms/rules", guard(Access::kAdmin, &Handlers::Create));
  router.AddPrefix("GET", std::string(kAlarmsPrefix), guard(Access::kRead, &Handlers::Get));
  router.AddPrefix("PUT", std::string(kRulesPrefix), guard(Access::kAdmin, &Handlers::Replace));
  router.AddPrefix("DELETE", std::string(kRulesPrefix), guard(Access::kAdmin, &Handlers::Delete));
}

}  // namespace vigil::alert
