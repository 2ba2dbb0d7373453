#include "alert/routing.h"

#include "alert/yaml_reader.h"

namespace vigil::alert {

namespace {

bool IsNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (!first && ((c >= '0' && c <= '9') || c == '.' || c == '@'));
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

Result<std::string> Unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\') {
      if (i + 2 >= s.size()) return Status::InvalidArgument("matcher value ends in a lone backslash");
      ++i;
    } else if (s[i] == '"') {
      return Status::InvalidArgument("unescaped quote inside the matcher value");
    }
    out += s[i];
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

Result<GroupSettings> ParseGroupSettings(const YAML::Node& node, std::string_view path,
                                         GroupSettings g) {
  if (node["group_by"]) {
    ASSIGN_OR_RETURN(g.group_by, YamlStrings(node["group_by"], std::string(path) + ".group_by"));
  }
  if (node["group_wait"]) {
    ASSIGN_OR_RETURN(g.group_wait_ns, YamlDuration(node["group_wait"], std::string(path) + ".group_wait"));
  }
  if (node["group_interval"]) {
    ASSIGN_OR_RETURN(g.group_interval_ns,
                     YamlDuration(node["group_interval"], std::string(path) + ".group_interval", 1'000'000));
  }
  if (node["repeat_interval"]) {
    ASSIGN_OR_RETURN(g.repeat_interval_ns,
                     YamlDuration(node["repeat_interval"], std::string(path) + ".repeat_interval", 1'000'000));
  }
  return g;
}

Result<std::vector<LabelMatcher>> ParseMatchers(const YAML::Node& node, const std::string& path) {
  std::vector<LabelMatcher> out;
  ASSIGN_OR_RETURN(auto texts, YamlStrings(node, path));
  for (const std::string& t : texts) {
    Result<LabelMatcher> m = ParseMatcher(t);
    if (!m.ok()) return YamlError(node, path, m.status().message());
    out.push_back(std::move(m).value());
  }
  return out;
}

Status CheckReceiver(const YAML::Node& node, const std::string& path, const std::string& name,
                     const std::vector<std::string>& receivers) {
  for (const std::string& r : receivers) {
    if (r == name) return Status::OK();
  }
  return YamlError(node, path, "no receiver named \"" + name + "\"");
}

Result<Route> ParseRoute(const YAML::Node& node, const std::string& path, const GroupSettings& defaults,
                         const std::vector<std::string>& receivers) {
  RETURN_IF_ERROR(YamlCheckKeys(node, path,
                                {"receiver", "matchers", "match", "continue", "group_by", "group_wait",
                                 "group_interval", "repeat_interval"}));
  Route r;
  if (!node["receiver"]) return YamlError(node, path, "a route needs a receiver");
  ASSIGN_OR_RETURN(r.receiver, YamlString(node["receiver"], path + ".receiver"));
  RETURN_IF_ERROR(CheckReceiver(node["receiver"], path + ".receiver", r.receiver, receivers));
  if (node["matchers"]) {
    ASSIGN_OR_RETURN(r.matchers, ParseMatchers(node["matchers"], path + ".matchers"));
  }
  if (node["match"]) {
    ASSIGN_OR_RETURN(auto eq, YamlStringMap(node["match"], path + ".match"));
    for (auto& [k, v] : eq) {
      Result<LabelMatcher> m = MakeMatcher(k, LabelMatcher::Op::kEq, v);
      if (!m.ok()) return YamlError(node["match"], path + ".match", m.status().message());
      r.matchers.push_back(std::move(m).value());
    }
  }
  if (node["continue"]) {
    ASSIGN_OR_RETURN(r.continue_matching, YamlBool(node["continue"], path + ".continue"));
  }
  ASSIGN_OR_RETURN(r.group, ParseGroupSettings(node, path, defaults));
  return r;
}

}  // namespace

bool LabelMatcher::Matches(const Labels& labels) const {
  auto it = labels.find(name);
  const std::string empty;
  const std::string& v = it == labels.end() ? empty : it->second;
  switch (op) {
    case Op::kEq: return v == value;
    case Op::kNe: return v != value;
    case Op::kRe: return RE2::FullMatch(v, *re);
    case Op::kNotRe: return !RE2::FullMatch(v, *re);
  }
  return false;
}

std::string LabelMatcher::ToString() const {
  static constexpr const char* kOps[] = {"=", "!=", "=~", "!~"};
  return name + kOps[static_cast<int>(op)] + Quote(value);
}

Result<LabelMatcher> MakeMatcher(std::string name, LabelMatcher::Op op, std::string value) {
  if (name.empty() || !IsNameChar(name[0], true)) {
    return Status::InvalidArgument("bad label name \"" + name + "\" in matcher");
  }
  for (char c : name) {
    if (!IsNameChar(c, false)) return Status::InvalidArgument("bad label name \"" + name + "\" in matcher");
  }
  LabelMatcher m{std::move(name), op, std::move(value), nullptr};
  if (op == LabelMatcher::Op::kRe || op == LabelMatcher::Op::kNotRe) {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<RE2>("^(?:" + m.value + ")$", opts);
    if (!re->ok()) {
      return Status::InvalidArgument("bad regex \"" + m.value + "\" in matcher: " + re->error());
    }
    m.re = std::move(re);
  }
  return m;
}

Result<LabelMatcher> ParseMatcher(std::string_view text) {
  text = Trim(text);
  size_t i = 0;
  while (i < text.size() && IsNameChar(text[i], i == 0)) ++i;
  std::string name(text.substr(0, i));
  std::string_view rest = Trim(text.substr(i));
  LabelMatcher::Op op;
  if (rest.starts_with("=~")) {
    op = LabelMatcher::Op::kRe;
  } else if (rest.starts_with("!~")) {
    op = LabelMatcher::Op::kNotRe;
  } else if (rest.starts_with("!=")) {
    op = LabelMatcher::Op::kNe;
  } else if (rest.starts_with("=")) {
    op = LabelMatcher::Op::kEq;
  } else {
    return Status::InvalidArgument("matcher \"" + std::string(text) +
                                   "\": expected name=value, name!=value, name=~regex or name!~regex");
  }
  rest.remove_prefix(op == LabelMatcher::Op::kEq ? 1 : 2);
  Result<std::string> value = Unquote(Trim(rest));
  if (!value.ok()) {
    return Status::InvalidArgument("matcher \"" + std::string(text) + "\": " + value.status().message());
  }
  return MakeMatcher(std::move(name), op, std::move(value).value());
}

bool MatchAll(const std::vector<LabelMatcher>& matchers, const Labels& labels) {
  for (const LabelMatcher& m : matchers) {
    if (!m.Matches(labels)) return false;
  }
  return true;
}

Result<RoutingTable> RoutingTable::Parse(const YAML::Node& alerting,
                                         const std::vector<std::string>& receivers) {
  RoutingTable t;
  if (!alerting || !alerting.IsMap()) return t;
  GroupSettings defaults;
  if (const YAML::Node root = alerting["route"]) {
    RETURN_IF_ERROR(YamlCheckKeys(root, "alerting.route",
                                  {"receiver", "group_by", "group_wait", "group_interval", "repeat_interval"}));
    ASSIGN_OR_RETURN(defaults, ParseGroupSettings(root, "alerting.route", defaults));
    if (root["receiver"]) {
      auto r = std::make_unique<Route>();
      ASSIGN_OR_RETURN(r->receiver, YamlString(root["receiver"], "alerting.route.receiver"));
      RETURN_IF_ERROR(CheckReceiver(root["receiver"], "alerting.route.receiver", r->receiver, receivers));
      r->group = defaults;
      t.default_route_ = std::move(r);
    }
  }
  if (const YAML::Node routes = alerting["routes"]) {
    if (!routes.IsSequence()) return YamlError(routes, "alerting.routes", "expected a list of routes");
    for (size_t i = 0; i < routes.size(); ++i) {
      ASSIGN_OR_RETURN(Route r, ParseRoute(routes[i], "alerting.routes[" + std::to_string(i) + "]",
                                           defaults, receivers));
      t.routes_.push_back(std::move(r));
    }
  }
  return t;
}

std::vector<const Route*> RoutingTable::Match(const Labels& labels) const {
  std::vector<const Route*> out;
  for (const Route& r : routes_) {
    if (!MatchAll(r.matchers, labels)) continue;
    out.push_back(&r);
    if (!r.continue_matching) break;
  }
  if (out.empty() && default_route_) out.push_back(default_route_.get());
  return out;
}

Labels GroupLabels(const GroupSettings& g, const Labels& labels) {
  if (g.group_by.size() == 1 && g.group_by[0] == "...") return labels;
  Labels out;
  for (const std::string& name : g.group_by) {
    auto it = labels.find(name);
    if (it != labels.end()) out[name] = it->second;
  }
  return out;
}

std::string GroupKey(const Labels& group_labels) {
  std::string key = "{";
  for (const auto& [k, v] : group_labels) {
    if (key.size() > 1) key += ",";
    key += k + "=" + Quote(v);
  }
  return key + "}";
}

}  // namespace vigil::alert
