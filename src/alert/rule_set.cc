#include "alert/rule_set.h"

namespace vigil::alert {

namespace {

constexpr size_t kMaxRuleBytes = 1 << 20;
constexpr int kMaxRuleNesting = 32;

// The parser recurses per nesting level: a hostile body must not exhaust the stack.
Status CheckShape(const std::string& text) {
  if (text.size() > kMaxRuleBytes) return Status::InvalidArgument("rule body is larger than 1 MiB");
  int depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (depth > kMaxRuleNesting) return Status::InvalidArgument("rule body is nested too deeply");
  }
  return Status::OK();
}

Result<YAML::Node> LoadYaml(const std::string& text) {
  RETURN_IF_ERROR(CheckShape(text));
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("rule body is not valid YAML/JSON: ") + e.what());
  }
}

Status OwnedByConfig(const Rule& r) {
  return Status::AlreadyExists("rule \"" + r.name + "\" is defined " +
                               (r.origin == RuleOrigin::kDefault
                                    ? "as a shipped default (turn it off with alerting.defaults or "
                                      "redefine it in the config file)"
                                    : "in the config file; change it there"));
}

const Rule* FindIn(const AlertingConfig& c, std::string_view name) {
  for (const Rule& r : c.rules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

}  // namespace

RuleSet::RuleSet(AlarmStore& store, Evaluator& evaluator, std::function<int64_t()> now_ns,
                 std::function<void(std::string_view)> log, const QueryOptions* check)
    : store_(store),
      evaluator_(evaluator),
      now_ns_(std::move(now_ns)),
      log_(std::move(log)),
      check_(check) {}

Status RuleSet::Start(AlertingConfig config) {
  ASSIGN_OR_RETURN(std::vector<ApiRuleRow> rows, store_.LoadApiRules());
  std::map<std::string, Rule> api;
  for (const ApiRuleRow& row : rows) {
    Result<YAML::Node> node = LoadYaml(row.yaml);
    Result<Rule> rule = node.ok() ? ParseRule(node.value(), "stored rule " + row.name, RuleOrigin::kApi, check_)
                                  : Result<Rule>(node.status());
    if (!rule.ok()) {
      if (log_) log_("alerting: stored API rule " + row.name + " skipped: " + rule.status().message());
      continue;
    }
    api[row.name] = std::move(rule.value());
  }
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(ApplyLocked(config, api));
  config_ = std::move(config);
  api_ = std::move(api);
  return Status::OK();
}

Status RuleSet::Reload(AlertingConfig config) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(ApplyLocked(config, api_));
  config_ = std::move(config);
  return Status::OK();
}

Status RuleSet::Check(const AlertingConfig& config) {
  std::lock_guard<std::mutex> lock(mu_);
  return CheckNames(config, api_);
}

Status RuleSet::CheckNames(const AlertingConfig& config, const std::map<std::string, Rule>& api) {
  for (const auto& [name, rule] : api) {
    if (const Rule* owner = FindIn(config, name)) {
      return Status::InvalidArgument(
          "rule \"" + name + "\": name: defined " +
          (owner->origin == RuleOrigin::kDefault ? "as a shipped default" : "in the config file") +
          " and through the API; delete the API rule (DELETE /api/v1/alarms/rules/" + name +
          ") or rename one");
    }
  }
  return Status::OK();
}

Status RuleSet::ApplyLocked(const AlertingConfig& config, const std::map<std::string, Rule>& api) {
  RETURN_IF_ERROR(CheckNames(config, api));
  std::vector<Rule> all = config.rules;
  for (const auto& [name, rule] : api) all.push_back(rule);
  return evaluator_.SetRules(std::move(all), config.evaluation_interval_ns, config.external_url,
                             now_ns_());
}

Result<Rule> RuleSet::Put(const std::string& body, std::string_view path_name, bool create_only) {
  ASSIGN_OR_RETURN(YAML::Node node, LoadYaml(body));
  if (node.IsMap() && !path_name.empty()) {
    if (!node["name"].IsDefined()) node["name"] = std::string(path_name);
    if (node["name"].IsScalar() && node["name"].Scalar() != path_name) {
      return Status::InvalidArgument("rule \"" + std::string(path_name) +
                                     "\": name: the body names \"" + node["name"].Scalar() +
                                     "\"; rename by DELETE and POST");
    }
  }
  ASSIGN_OR_RETURN(Rule rule, ParseRule(node, "rule", RuleOrigin::kApi, check_));
  std::lock_guard<std::mutex> lock(mu_);
  if (const Rule* owner = FindIn(config_, rule.name)) return OwnedByConfig(*owner);
  if (create_only && api_.count(rule.name)) {
    return Status::AlreadyExists("rule \"" + rule.name + "\" already exists; use PUT to replace it");
  }
  std::map<std::string, Rule> next = api_;
  next[rule.name] = rule;
  RETURN_IF_ERROR(store_.PutApiRule(rule.name, RuleToYaml(rule), now_ns_()));
  RETURN_IF_ERROR(ApplyLocked(config_, next));
  api_ = std::move(next);
  return rule;
}

Status RuleSet::Delete(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (const Rule* owner = FindIn(config_, name)) return OwnedByConfig(*owner);
  if (!api_.count(name)) return Status::NotFound("no rule named \"" + name + "\"");
  RETURN_IF_ERROR(store_.DeleteApiRule(name));
  std::map<std::string, Rule> next = api_;
  next.erase(name);
  RETURN_IF_ERROR(ApplyLocked(config_, next));
  api_ = std::move(next);
  return Status::OK();
}

}  // namespace vigil::alert
