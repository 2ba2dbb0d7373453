#include "health/health_config.h"

#include <charconv>
#include <set>

namespace vigil::health {

namespace {

constexpr int64_t kSecond = 1'000'000'000;

Status Bad(const YAML::Node& node, const std::string& key, const std::string& what) {
  std::string where = node.Mark().line >= 0 ? " (line " + std::to_string(node.Mark().line + 1) + ")" : "";
  return Status::InvalidArgument("config: " + key + where + ": " + what);
}

Status CheckKeys(const YAML::Node& map, const std::string& section, const std::set<std::string>& known) {
  if (!map.IsMap()) return Bad(map, section, "expected a mapping");
  for (const auto& kv : map) {
    const std::string k = kv.first.as<std::string>();
    if (!known.count(k)) {
      std::string list;
      for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
      return Bad(kv.first, section + "." + k, "unknown key (known: " + list + ")");
    }
  }
  return Status::OK();
}

Status ReadString(const YAML::Node& map, const std::string& section, const char* key, std::string* out) {
  const YAML::Node n = map[key];
  if (!n) return Status::OK();
  if (!n.IsScalar() || n.Scalar().empty()) return Bad(n, section + "." + key, "expected a non-empty string");
  *out = n.Scalar();
  return Status::OK();
}

Status ReadList(const YAML::Node& map, const std::string& section, const char* key,
                std::vector<std::string>* out) {
  const YAML::Node n = map[key];
  if (!n) return Status::OK();
  if (!n.IsSequence()) return Bad(n, section + "." + key, "expected a list of strings");
  out->clear();
  for (const YAML::Node& item : n) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return Bad(item, section + "." + key, "expected a list of non-empty strings");
    }
    out->push_back(item.Scalar());
  }
  return Status::OK();
}

Status ReadIntervalNode(const YAML::Node& n, const std::string& key, int64_t* out) {
  if (!n.IsScalar()) return Bad(n, key, "expected a duration such as 15m");
  Result<int64_t> v = ParseInterval(n.Scalar());
  if (!v.ok()) return Bad(n, key, v.status().message());
  *out = v.value();
  return Status::OK();
}

Status ParseExternal(const YAML::Node& n, ExternalApiConfig* c) {
  const std::string s = "health.external_apis";
  RETURN_IF_ERROR(CheckKeys(n, s, {"api_field", "kinds", "name_fields", "host_field", "latency_fields",
                                   "status_fields", "url_fields", "operation_field", "success_field",
                                   "method_field", "error_fields", "message_field", "max_rows"}));
  RETURN_IF_ERROR(ReadString(n, s, "api_field", &c->api_field));
  RETURN_IF_ERROR(ReadList(n, s, "kinds", &c->kinds));
  RETURN_IF_ERROR(ReadList(n, s, "name_fields", &c->name_fields));
  RETURN_IF_ERROR(ReadString(n, s, "host_field", &c->host_field));
  RETURN_IF_ERROR(ReadList(n, s, "latency_fields", &c->latency_fields));
  RETURN_IF_ERROR(ReadList(n, s, "status_fields", &c->status_fields));
  RETURN_IF_ERROR(ReadList(n, s, "url_fields", &c->url_fields));
  RETURN_IF_ERROR(ReadString(n, s, "operation_field", &c->operation_field));
  RETURN_IF_ERROR(ReadString(n, s, "success_field", &c->success_field));
  RETURN_IF_ERROR(ReadString(n, s, "method_field", &c->method_field));
  RETURN_IF_ERROR(ReadList(n, s, "error_fields", &c->error_fields));
  RETURN_IF_ERROR(ReadString(n, s, "message_field", &c->message_field));
  if (c->latency_fields.empty()) return Bad(n, s + ".latency_fields", "needs at least one field");
  if (const YAML::Node m = n["max_rows"]) {
    int64_t v = 0;
    if (!YAML::convert<int64_t>::decode(m, v) || v <= 0) return Bad(m, s + ".max_rows", "expected a positive integer");
    c->max_rows = static_cast<size_t>(v);
  }
  return Status::OK();
}

Status ParseStatus(const YAML::Node& n, StatusConfig* c) {
  const std::string s = "health.status";
  RETURN_IF_ERROR(CheckKeys(n, s, {"default_interval", "checks", "from_logs", "fields"}));
  if (const YAML::Node d = n["default_interval"]) {
    RETURN_IF_ERROR(ReadIntervalNode(d, s + ".default_interval", &c->default_interval_ns));
  }
  if (const YAML::Node f = n["from_logs"]) {
    bool v = false;
    if (!YAML::convert<bool>::decode(f, v)) return Bad(f, s + ".from_logs", "expected true or false");
    c->from_logs = v;
  }
  if (const YAML::Node checks = n["checks"]) {
    if (!checks.IsMap()) return Bad(checks, s + ".checks", "expected a mapping of check name to settings");
    for (const auto& kv : checks) {
      const std::string name = kv.first.as<std::string>();
      const std::string key = s + ".checks." + name;
      RETURN_IF_ERROR(CheckKeys(kv.second, key, {"interval"}));
      int64_t ns = c->default_interval_ns;
      if (const YAML::Node i = kv.second["interval"]) RETURN_IF_ERROR(ReadIntervalNode(i, key + ".interval", &ns));
      c->intervals_ns[name] = ns;
    }
  }
  if (const YAML::Node f = n["fields"]) {
    const std::string k = s + ".fields";
    RETURN_IF_ERROR(CheckKeys(f, k, {"check", "entity", "tenant", "status", "reason"}));
    RETURN_IF_ERROR(ReadString(f, k, "check", &c->fields.check));
    RETURN_IF_ERROR(ReadString(f, k, "entity", &c->fields.entity));
    RETURN_IF_ERROR(ReadString(f, k, "tenant", &c->fields.tenant));
    RETURN_IF_ERROR(ReadString(f, k, "status", &c->fields.status));
    RETURN_IF_ERROR(ReadString(f, k, "reason", &c->fields.reason));
  }
  return Status::OK();
}

Status ParseAnalytics(const YAML::Node& n, AnalyticsConfig* c) {
  const std::string s = "analytics";
  RETURN_IF_ERROR(CheckKeys(n, s, {"project_keys", "tenant_properties"}));
  RETURN_IF_ERROR(ReadList(n, s, "project_keys", &c->project_keys));
  RETURN_IF_ERROR(ReadList(n, s, "tenant_properties", &c->tenant_properties));
  return Status::OK();
}

}  // namespace

int64_t StatusConfig::IntervalFor(std::string_view check) const {
  auto it = intervals_ns.find(check);
  return it != intervals_ns.end() ? it->second : default_interval_ns;
}

Result<int64_t> ParseInterval(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    int64_t ns;
  };
  static constexpr Unit kUnits[] = {{"ms", 1'000'000}, {"s", kSecond}, {"m", 60 * kSecond},
                                    {"h", 3600 * kSecond}, {"d", 86400 * kSecond}};
  int64_t unit = kSecond;
  std::string_view digits = text;
  for (const Unit& u : kUnits) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      digits = text.substr(0, text.size() - u.suffix.size());
      unit = u.ns;
      break;
    }
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n <= 0 || n > INT64_MAX / unit) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a duration (a positive whole number with ms, s, m, h or d)");
  }
  return n * unit;
}

Result<HealthConfig> ParseHealthConfig(const YAML::Node& raw) {
  HealthConfig c;
  if (!raw || !raw.IsMap()) return c;
  if (const YAML::Node h = raw["health"]) {
    RETURN_IF_ERROR(CheckKeys(h, "health", {"external_apis", "status"}));
    if (const YAML::Node e = h["external_apis"]) RETURN_IF_ERROR(ParseExternal(e, &c.external));
    if (const YAML::Node st = h["status"]) RETURN_IF_ERROR(ParseStatus(st, &c.status));
  }
  if (const YAML::Node a = raw["analytics"]) RETURN_IF_ERROR(ParseAnalytics(a, &c.analytics));
  return c;
}

}  // namespace vigil::health
