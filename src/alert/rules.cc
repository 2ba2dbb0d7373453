#include "alert/rules.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "alert/template.h"

namespace vigil::alert {

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int kMaxEvaluationPeriods = 1000;

struct Unit {
  std::string_view name;
  int64_t ns;
};
constexpr Unit kUnits[] = {{"ms", 1'000'000},        {"s", kSecond},
                           {"m", 60 * kSecond},      {"h", 3600 * kSecond},
                           {"d", 86400 * kSecond},   {"w", 7 * 86400 * kSecond}};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The duration of the query's first `bin(...)` (its last argument), 0 when it has none.
Result<int64_t> BinPeriod(std::string_view query) {
  const std::string lower = Lower(query);
  size_t pos = lower.find("bin(");
  while (pos != std::string::npos && pos > 0 &&
         (std::isalnum(static_cast<unsigned char>(lower[pos - 1])) || lower[pos - 1] == '_')) {
    pos = lower.find("bin(", pos + 1);
  }
  if (pos == std::string::npos) return int64_t{0};
  size_t close = lower.find(')', pos);
  if (close == std::string::npos) return Status::InvalidArgument("query: unclosed bin(");
  std::string_view args(lower.data() + pos + 4, close - pos - 4);
  size_t comma = args.rfind(',');
  std::string_view arg = TrimSpace(comma == std::string_view::npos ? args : args.substr(comma + 1));
  Result<int64_t> d = ParseDuration(arg);
  if (!d.ok() || d.value() <= 0) {
    return Status::InvalidArgument("query: bin() needs a duration such as bin(1m), got '" +
                                   std::string(arg) + "'");
  }
  return d;
}

// Errors of one rule: `rule "name": key: message`.
class RuleReader {
 public:
  RuleReader(const YAML::Node& node, std::string_view where) : node_(node), where_(where) {}

  Status Fail(std::string_view key, std::string_view msg) const {
    std::string who = name_.empty() ? std::string(where_) : "rule \"" + name_ + "\"";
    return Status::InvalidArgument(who + ": " + std::string(key) + ": " + std::string(msg));
  }

  void SetName(std::string name) { name_ = std::move(name); }

  Result<std::string> String(std::string_view key, bool required) const {
    YAML::Node v = node_[std::string(key)];
    if (!v.IsDefined() || v.IsNull()) {
      if (required) return Fail(key, "is required");
      return std::string();
    }
    if (!v.IsScalar()) return Fail(key, "expected a string");
    return v.Scalar();
  }

  Result<int64_t> Duration(std::string_view key, int64_t fallback) const {
    ASSIGN_OR_RETURN(std::string text, String(key, false));
    if (text.empty()) return fallback;
    Result<int64_t> d = ParseDuration(text);
    if (!d.ok()) return Fail(key, d.status().message());
    return d;
  }

  Result<double> Number(std::string_view key, bool required, double fallback) const {
    ASSIGN_OR_RETURN(std::string text, String(key, required));
    if (text.empty()) return fallback;
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
      return Fail(key, "expected a number, got \"" + text + "\"");
    }
    return v;
  }

  Result<int> Count(std::string_view key, int fallback) const {
    ASSIGN_OR_RETURN(double v, Number(key, false, fallback));
    if (v != std::floor(v) || v < 1 || v > kMaxEvaluationPeriods) {
      return Fail(key, "expected a whole number from 1 to " + std::to_string(kMaxEvaluationPeriods));
    }
    return static_cast<int>(v);
  }

  Result<bool> Bool(std::string_view key, bool fallback) const {
    ASSIGN_OR_RETURN(std::string text, String(key, false));
    if (text.empty()) return fallback;
    if (text == "true" || text == "yes") return true;
    if (text == "false" || text == "no") return false;
    return Fail(key, "expected true or false, got \"" + text + "\"");
  }

  Result<std::map<std::string, std::string>> Map(std::string_view key, bool templates) const {
    std::map<std::string, std::string> out;
    YAML::Node v = node_[std::string(key)];
    if (!v.IsDefined() || v.IsNull()) return out;
    if (!v.IsMap()) return Fail(key, "expected a map of names to strings");
    for (const auto& kv : v) {
      const std::string k = kv.first.Scalar();
      if (!kv.second.IsScalar()) return Fail(std::string(key) + "." + k, "expected a string");
      if (templates) {
        if (Status s = CheckTemplate(kv.second.Scalar()); !s.ok()) {
          return Fail(std::string(key) + "." + k, s.message());
        }
      }
      out[k] = kv.second.Scalar();
    }
    return out;
  }

 private:
  const YAML::Node& node_;
  std::string_view where_;
  std::string name_;
};

Result<Comparison> ParseComparison(std::string_view s) {
  static const std::pair<std::string_view, Comparison> kOps[] = {
      {">", Comparison::kGt}, {">=", Comparison::kGe}, {"<", Comparison::kLt},
      {"<=", Comparison::kLe}, {"==", Comparison::kEq}, {"!=", Comparison::kNe}};
  for (const auto& [text, op] : kOps) {
    if (s == text) return op;
  }
  return Status::InvalidArgument("expected one of > >= < <= == !=, got \"" + std::string(s) + "\"");
}

Result<MissingData> ParseMissing(std::string_view s) {
  for (MissingData m : {MissingData::kMissing, MissingData::kIgnore, MissingData::kBreaching,
                        MissingData::kNotBreaching}) {
    if (s == MissingDataName(m)) return m;
  }
  return Status::InvalidArgument(
      "expected missing, ignore, breaching or notBreaching, got \"" + std::string(s) + "\"");
}

const std::set<std::string>& RuleKeys() {
  static const std::set<std::string> kKeys = {
      "name", "query", "period", "evaluation_periods", "datapoints_to_alarm", "comparison",
      "threshold", "treat_missing_data", "for", "keep_firing_for", "labels", "annotations",
      "send_resolved", "evaluation_interval", "description"};
  return kKeys;
}

Status ValidName(const RuleReader& r, const std::string& name) {
  if (name.size() > 200) return r.Fail("name", "longer than 200 characters");
  if (name == "rules") return r.Fail("name", "\"rules\" is reserved (the API's /alarms/rules)");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return r.Fail("name", "use letters, digits, '_', '-' and '.' only (got \"" + name + "\")");
    }
  }
  return Status::OK();
}

// Query, period and the binned/windowed decision.
Status ReadQueryAndPeriod(const RuleReader& r, Rule& rule, const QueryOptions* check) {
  ASSIGN_OR_RETURN(rule.query, r.String("query", true));
  if (check != nullptr) {
    QueryRequest req;
    req.text = rule.query;
    req.now_ns = 1;
    Result<std::string> plan = ExplainQuery(req, *check);
    if (!plan.ok()) return r.Fail("query", plan.status().message());
  }
  Result<int64_t> bin = BinPeriod(rule.query);
  if (!bin.ok()) return r.Fail("query", bin.status().message());
  ASSIGN_OR_RETURN(rule.period_ns, r.Duration("period", bin.value()));
  rule.binned = bin.value() > 0;
  if (rule.period_ns <= 0) {
    return r.Fail("period", "is required when the query has no bin() (e.g. period: 5m)");
  }
  if (rule.binned && bin.value() != rule.period_ns) {
    return r.Fail("period", FormatDuration(rule.period_ns) + " differs from the query's bin(" +
                                FormatDuration(bin.value()) + "); make them equal");
  }
  return Status::OK();
}

Status ReadCondition(const RuleReader& r, Rule& rule) {
  ASSIGN_OR_RETURN(rule.evaluation_periods, r.Count("evaluation_periods", 1));
  ASSIGN_OR_RETURN(rule.datapoints_to_alarm, r.Count("datapoints_to_alarm", rule.evaluation_periods));
  if (rule.datapoints_to_alarm > rule.evaluation_periods) {
    return r.Fail("datapoints_to_alarm", "is more than evaluation_periods (" +
                                             std::to_string(rule.evaluation_periods) + ")");
  }
  ASSIGN_OR_RETURN(std::string cmp, r.String("comparison", false));
  if (!cmp.empty()) {
    Result<Comparison> c = ParseComparison(cmp);
    if (!c.ok()) return r.Fail("comparison", c.status().message());
    rule.comparison = c.value();
  }
  ASSIGN_OR_RETURN(rule.threshold, r.Number("threshold", true, 0));
  ASSIGN_OR_RETURN(std::string missing, r.String("treat_missing_data", false));
  if (!missing.empty()) {
    Result<MissingData> m = ParseMissing(missing);
    if (!m.ok()) return r.Fail("treat_missing_data", m.status().message());
    rule.missing = m.value();
  }
  return Status::OK();
}

Status ReadTiming(const RuleReader& r, Rule& rule) {
  ASSIGN_OR_RETURN(rule.for_ns, r.Duration("for", 0));
  ASSIGN_OR_RETURN(rule.keep_firing_for_ns, r.Duration("keep_firing_for", 0));
  ASSIGN_OR_RETURN(rule.evaluation_interval_ns, r.Duration("evaluation_interval", 0));
  if (r.String("evaluation_interval", false).value().size() && rule.evaluation_interval_ns <= 0) {
    return r.Fail("evaluation_interval", "must be more than 0");
  }
  return Status::OK();
}

}  // namespace

const char* ComparisonName(Comparison c) {
  switch (c) {
    case Comparison::kGt: return ">";
    case Comparison::kGe: return ">=";
    case Comparison::kLt: return "<";
    case Comparison::kLe: return "<=";
    case Comparison::kEq: return "==";
    case Comparison::kNe: return "!=";
  }
  return "?";
}

const char* MissingDataName(MissingData m) {
  switch (m) {
    case MissingData::kMissing: return "missing";
    case MissingData::kIgnore: return "ignore";
    case MissingData::kBreaching: return "breaching";
    case MissingData::kNotBreaching: return "notBreaching";
  }
  return "?";
}

const char* RuleOriginName(RuleOrigin o) {
  switch (o) {
    case RuleOrigin::kDefault: return "default";
    case RuleOrigin::kConfig: return "config";
    case RuleOrigin::kApi: return "api";
  }
  return "?";
}

bool Breaches(Comparison c, double v, double t) {
  switch (c) {
    case Comparison::kGt: return v > t;
    case Comparison::kGe: return v >= t;
    case Comparison::kLt: return v < t;
    case Comparison::kLe: return v <= t;
    case Comparison::kEq: return v == t;
    case Comparison::kNe: return v != t;
  }
  return false;
}

Result<int64_t> ParseDuration(std::string_view text) {
  text = TrimSpace(text);
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12) {
    return Status::InvalidArgument("expected a duration such as 30s, 5m, 1h or 250ms, got \"" +
                                   std::string(text) + "\"");
  }
  int64_t n = 0;
  std::from_chars(text.data(), text.data() + digits, n);
  std::string_view unit = text.substr(digits);
  auto scaled = [&](int64_t per) -> Result<int64_t> {
    int64_t out = 0;
    if (__builtin_mul_overflow(n, per, &out)) {
      return Status::InvalidArgument("duration \"" + std::string(text) + "\" is too long");
    }
    return out;
  };
  if (unit.empty()) return scaled(kSecond);
  for (const Unit& u : kUnits) {
    if (unit == u.name) return scaled(u.ns);
  }
  return Status::InvalidArgument("unknown duration unit '" + std::string(unit) +
                                 "' (use ms, s, m, h, d or w)");
}

std::string FormatDuration(int64_t ns) {
  for (auto it = std::rbegin(kUnits); it != std::rend(kUnits); ++it) {
    if (ns != 0 && ns % it->ns == 0) return std::to_string(ns / it->ns) + std::string(it->name);
  }
  if (ns == 0) return "0s";
  return std::to_string(ns) + "ns";
}

Result<Rule> ParseRule(const YAML::Node& node, std::string_view where, RuleOrigin origin,
                       const QueryOptions* check) {
  RuleReader r(node, where);
  if (!node.IsMap()) {
    return Status::InvalidArgument(std::string(where) + ": expected a map with name, query, threshold ...");
  }
  Rule rule;
  rule.origin = origin;
  ASSIGN_OR_RETURN(rule.name, r.String("name", true));
  r.SetName(rule.name);
  RETURN_IF_ERROR(ValidName(r, rule.name));
  for (const auto& kv : node) {
    if (!RuleKeys().count(kv.first.Scalar())) return r.Fail(kv.first.Scalar(), "unknown key");
  }
  RETURN_IF_ERROR(ReadQueryAndPeriod(r, rule, check));
  RETURN_IF_ERROR(ReadCondition(r, rule));
  RETURN_IF_ERROR(ReadTiming(r, rule));
  ASSIGN_OR_RETURN(rule.labels, r.Map("labels", true));
  ASSIGN_OR_RETURN(rule.annotations, r.Map("annotations", true));
  ASSIGN_OR_RETURN(std::string description, r.String("description", false));
  if (!description.empty() && !rule.annotations.count("description")) {
    if (Status s = CheckTemplate(description); !s.ok()) return r.Fail("description", s.message());
    rule.annotations["description"] = description;
  }
  ASSIGN_OR_RETURN(rule.send_resolved, r.Bool("send_resolved", true));
  return rule;
}

namespace {

// `defaults:` true/false, or a map of default names to true/false.
Result<std::set<std::string>> DisabledDefaults(const YAML::Node& d) {
  std::set<std::string> off;
  if (!d.IsDefined() || d.IsNull()) return off;
  std::set<std::string> names;
  for (const Rule& r : DefaultRules()) names.insert(r.name);
  if (d.IsScalar()) {
    if (d.Scalar() == "false" || d.Scalar() == "no") return names;
    if (d.Scalar() == "true" || d.Scalar() == "yes") return off;
    return Status::InvalidArgument("alerting.defaults: expected true, false or a map of names");
  }
  if (!d.IsMap()) return Status::InvalidArgument("alerting.defaults: expected true, false or a map");
  for (const auto& kv : d) {
    const std::string name = kv.first.Scalar();
    if (!names.count(name)) {
      return Status::InvalidArgument("alerting.defaults." + name +
                                     ": no such default (http_5xx_rate, http_p95_latency, "
                                     "cron_failure_rate, logs_silent)");
    }
    const std::string v = kv.second.IsScalar() ? kv.second.Scalar() : "";
    if (v == "false" || v == "no") {
      off.insert(name);
    } else if (v != "true" && v != "yes") {
      return Status::InvalidArgument("alerting.defaults." + name + ": expected true or false");
    }
  }
  return off;
}

Status CheckSectionKeys(const YAML::Node& alerting) {
  // Keys read by the dispatcher are accepted here and checked there.
  static const std::set<std::string> kKnown = {
      "evaluation_interval", "external_url", "defaults", "rules", "receivers", "routes",
      "route", "silences", "inhibit", "inhibit_rules", "outbox", "delivery", "notifications"};
  for (const auto& kv : alerting) {
    if (!kKnown.count(kv.first.Scalar())) {
      return Status::InvalidArgument("alerting." + kv.first.Scalar() + ": unknown key");
    }
  }
  return Status::OK();
}

}  // namespace

Result<AlertingConfig> ParseAlertingConfig(const YAML::Node& alerting, std::string_view listen,
                                           const QueryOptions* check) {
  AlertingConfig out;
  // With port 0 the bound port is not known here: links stay relative.
  const bool any_port = listen.size() >= 2 && listen.substr(listen.size() - 2) == ":0";
  out.external_url = any_port ? "" : "http://" + std::string(listen);
  const YAML::Node& a = alerting;
  const bool present = a.IsDefined() && !a.IsNull();
  if (present && !a.IsMap()) return Status::InvalidArgument("alerting: expected a map");
  std::set<std::string> off;
  std::vector<Rule> configured;
  if (present) {
    RETURN_IF_ERROR(CheckSectionKeys(a));
    if (a["evaluation_interval"].IsDefined()) {
      Result<int64_t> d = ParseDuration(a["evaluation_interval"].Scalar());
      if (!d.ok() || d.value() <= 0) {
        return Status::InvalidArgument("alerting.evaluation_interval: " +
                                       (d.ok() ? std::string("must be more than 0") : d.status().message()));
      }
      out.evaluation_interval_ns = d.value();
    }
    if (a["external_url"].IsDefined()) out.external_url = a["external_url"].Scalar();
    while (!out.external_url.empty() && out.external_url.back() == '/') out.external_url.pop_back();
    ASSIGN_OR_RETURN(off, DisabledDefaults(a["defaults"]));
    const YAML::Node rules = a["rules"];
    const bool listed = rules.IsDefined() && rules.IsSequence();
    if (rules.IsDefined() && !rules.IsNull() && !listed) {
      return Status::InvalidArgument("alerting.rules: expected a list of rules");
    }
    for (size_t i = 0; listed && i < rules.size(); ++i) {
      ASSIGN_OR_RETURN(Rule r, ParseRule(rules[i], "alerting.rules[" + std::to_string(i) + "]",
                                         RuleOrigin::kConfig, check));
      configured.push_back(std::move(r));
    }
  }
  std::set<std::string> seen;
  for (const Rule& r : configured) {
    if (!seen.insert(r.name).second) {
      return Status::InvalidArgument("rule \"" + r.name + "\": name: defined twice in alerting.rules");
    }
  }
  for (Rule& d : DefaultRules()) {
    if (!off.count(d.name) && !seen.count(d.name)) out.rules.push_back(std::move(d));
  }
  for (Rule& r : configured) out.rules.push_back(std::move(r));
  return out;
}

std::string RuleToYaml(const Rule& rule) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << rule.name;
  e << YAML::Key << "query" << YAML::Value << YAML::DoubleQuoted << rule.query;
  e << YAML::Key << "period" << YAML::Value << FormatDuration(rule.period_ns);
  e << YAML::Key << "evaluation_periods" << YAML::Value << rule.evaluation_periods;
  e << YAML::Key << "datapoints_to_alarm" << YAML::Value << rule.datapoints_to_alarm;
  e << YAML::Key << "comparison" << YAML::Value << YAML::DoubleQuoted << ComparisonName(rule.comparison);
  char threshold[32];
  auto res = std::to_chars(threshold, threshold + sizeof(threshold), rule.threshold);
  e << YAML::Key << "threshold" << YAML::Value << std::string(threshold, res.ptr);
  e << YAML::Key << "treat_missing_data" << YAML::Value << MissingDataName(rule.missing);
  e << YAML::Key << "for" << YAML::Value << FormatDuration(rule.for_ns);
  e << YAML::Key << "keep_firing_for" << YAML::Value << FormatDuration(rule.keep_firing_for_ns);
  if (rule.evaluation_interval_ns > 0) {
    e << YAML::Key << "evaluation_interval" << YAML::Value << FormatDuration(rule.evaluation_interval_ns);
  }
  e << YAML::Key << "send_resolved" << YAML::Value << rule.send_resolved;
  for (const auto* m : {&rule.labels, &rule.annotations}) {
    e << YAML::Key << (m == &rule.labels ? "labels" : "annotations") << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : *m) e << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
    e << YAML::EndMap;
  }
  e << YAML::EndMap;
  return e.c_str();
}

}  // namespace vigil::alert
