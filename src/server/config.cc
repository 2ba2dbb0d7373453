#include "server/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace vigil {

const char* RoleName(Role r) {
  switch (r) {
    case Role::kIngest:
      return "ingest";
    case Role::kRead:
      return "read";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

namespace {

std::string fmt_double(double v) {
  std::string s = std::to_string(v);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// Turns yaml-cpp nodes into typed values; every error names the source, line and key.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  Status Error(const YAML::Node& node, std::string_view key, std::string_view what) const {
    std::string msg(source_);
    const YAML::Mark mark = node.Mark();
    if (mark.line >= 0) msg += ":" + std::to_string(mark.line + 1);
    msg += ": key '" + std::string(key) + "': " + std::string(what);
    return Status::InvalidArgument(std::move(msg));
  }

  Result<std::string> String(const YAML::Node& node, std::string_view key) const {
    if (!node.IsScalar()) return Error(node, key, "expected a string");
    return node.Scalar();
  }

  Result<int64_t> Int(const YAML::Node& node, std::string_view key, int64_t min,
                      int64_t max) const {
    if (!node.IsScalar()) return Error(node, key, "expected an integer");
    const std::string& s = node.Scalar();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
      return Error(node, key, "expected an integer, got \"" + s + "\"");
    }
    if (v < min || v > max) {
      return Error(node, key,
                   "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return v;
  }

  // A byte count: an integer, or a number with a unit (KB MB GB, KiB MiB GiB; K M G are
  // binary like KiB).
  Result<size_t> Bytes(const YAML::Node& node, std::string_view key) const {
    static const std::map<std::string, uint64_t, std::less<>> kUnits = {{"", 1},
                                                                        {"B", 1},
                                                                        {"KB", 1000},
                                                                        {"MB", 1000 * 1000},
                                                                        {"GB", 1000000000},
                                                                        {"K", 1ull << 10},
                                                                        {"KiB", 1ull << 10},
                                                                        {"M", 1ull << 20},
                                                                        {"MiB", 1ull << 20},
                                                                        {"G", 1ull << 30},
                                                                        {"GiB", 1ull << 30}};
    const std::string expected = "expected a byte count such as 1048576 or \"64MiB\"";
    if (!node.IsScalar()) return Error(node, key, expected);
    const std::string& s = node.Scalar();
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end == s.data())
      return Error(node, key, expected + ", got \"" + s + "\"");
    std::string_view unit(end, s.data() + s.size() - end);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    auto it = kUnits.find(unit);
    if (it == kUnits.end()) return Error(node, key, "unknown unit \"" + std::string(unit) + "\"");
    if (n > std::numeric_limits<uint64_t>::max() / it->second) return Error(node, key, "too large");
    if (n == 0) return Error(node, key, "must be greater than 0");
    return static_cast<size_t>(n * it->second);
  }

  Result<double> Double(const YAML::Node& node, std::string_view key, double min, double max) const {
    if (!node.IsScalar()) return Error(node, key, "expected a number");
    const std::string& s = node.Scalar();
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
      return Error(node, key, "expected a number, got \"" + s + "\"");
    }
    if (!(v >= min && v <= max)) {
      return Error(node, key, "must be between " + fmt_double(min) + " and " + fmt_double(max));
    }
    return v;
  }

  Result<bool> Bool(const YAML::Node& node, std::string_view key) const {
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      if (s == "true" || s == "yes" || s == "on") return true;
      if (s == "false" || s == "no" || s == "off") return false;
    }
    return Error(node, key, "expected true or false");
  }

  Result<std::vector<std::string>> Strings(const YAML::Node& node, std::string_view key) const {
    if (!node.IsSequence()) return Error(node, key, "expected a list of strings");
    std::vector<std::string> out;
    for (const YAML::Node& item : node) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        return Error(item, key, "expected a list of non-empty strings");
      }
      out.push_back(item.Scalar());
    }
    return out;
  }

 private:
  std::string_view source_;
};

Result<Role> ParseRole(const Reader& r, const YAML::Node& node, std::string_view key) {
  ASSIGN_OR_RETURN(std::string s, r.String(node, key));
  if (s == "ingest") return Role::kIngest;
  if (s == "read") return Role::kRead;
  if (s == "admin") return Role::kAdmin;
  return r.Error(node, key, "expected one of ingest, read, admin; got \"" + s + "\"");
}

Result<ApiKey> ParseApiKey(const Reader& r, const YAML::Node& node, size_t index) {
  const std::string where = "api_keys[" + std::to_string(index) + "]";
  if (!node.IsMap()) return r.Error(node, where, "expected a mapping with key, role, name");
  ApiKey k;
  k.name = "key-" + std::to_string(index);
  bool has_key = false, has_role = false;
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    const std::string path = where + "." + name;
    if (name == "key") {
      ASSIGN_OR_RETURN(k.key, r.String(kv.second, path));
      if (k.key.empty()) return r.Error(kv.second, path, "must not be empty");
      has_key = true;
    } else if (name == "role") {
      ASSIGN_OR_RETURN(k.role, ParseRole(r, kv.second, path));
      has_role = true;
    } else if (name == "name") {
      ASSIGN_OR_RETURN(k.name, r.String(kv.second, path));
    } else {
      return r.Error(kv.first, path, "unknown key (expected key, role, name)");
    }
  }
  if (!has_key) return r.Error(node, where + ".key", "missing");
  if (!has_role) return r.Error(node, where + ".role", "missing (ingest, read or admin)");
  return k;
}

Status ParseApiKeys(const Reader& r, const YAML::Node& node, Config& c) {
  if (node.IsNull()) return Status::OK();
  if (!node.IsSequence()) return r.Error(node, "api_keys", "expected a list of {key, role, name}");
  std::set<std::string> seen;
  for (size_t i = 0; i < node.size(); ++i) {
    ASSIGN_OR_RETURN(ApiKey k, ParseApiKey(r, node[i], i));
    if (!seen.insert(k.key).second) {
      return r.Error(node[i], "api_keys[" + std::to_string(i) + "].key", "duplicate key");
    }
    c.api_keys.push_back(std::move(k));
  }
  return Status::OK();
}

Status ParseQuery(const Reader& r, const YAML::Node& node, QueryConfig& q) {
  if (node.IsNull()) return Status::OK();
  if (!node.IsMap()) return r.Error(node, "query", "expected a mapping");
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    const std::string path = "query." + name;
    if (name == "timeout_ms") {
      ASSIGN_OR_RETURN(q.timeout_ms,
                       r.Int(kv.second, path, 1, std::numeric_limits<int64_t>::max()));
    } else if (name == "max_rows") {
      ASSIGN_OR_RETURN(int64_t v, r.Int(kv.second, path, 1, std::numeric_limits<int32_t>::max()));
      q.max_rows = static_cast<size_t>(v);
    } else {
      return r.Error(kv.first, path, "unknown key (expected timeout_ms, max_rows)");
    }
  }
  return Status::OK();
}

Status ParseErrors(const Reader& r, const YAML::Node& node, ErrorOptions& e) {
  if (node.IsNull()) return Status::OK();
  if (!node.IsMap()) return r.Error(node, "errors", "expected a mapping");
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    const std::string path = "errors." + name;
    if (name == "enabled") {
      ASSIGN_OR_RETURN(e.enabled, r.Bool(kv.second, path));
    } else if (name == "class_field") {
      ASSIGN_OR_RETURN(e.class_field, r.String(kv.second, path));
    } else if (name == "levels") {
      ASSIGN_OR_RETURN(e.levels, r.Strings(kv.second, path));
    } else if (name == "message_fields") {
      ASSIGN_OR_RETURN(e.message_fields, r.Strings(kv.second, path));
    } else if (name == "stack_fields") {
      ASSIGN_OR_RETURN(e.stack_fields, r.Strings(kv.second, path));
    } else {
      return r.Error(kv.first, path,
                     "unknown key (expected enabled, class_field, levels, message_fields, stack_fields)");
    }
  }
  return Status::OK();
}

Status ParseFingerprintRules(const Reader& r, const YAML::Node& node, ErrorOptions& e) {
  if (node.IsNull()) return Status::OK();
  if (!node.IsSequence()) return r.Error(node, "fingerprint_rules", "expected a list of {match, fingerprint}");
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string where = "fingerprint_rules[" + std::to_string(i) + "]";
    const YAML::Node& item = node[i];
    if (!item.IsMap()) return r.Error(item, where, "expected a mapping with match and fingerprint");
    FingerprintRule rule;
    for (const auto& kv : item) {
      const std::string name = kv.first.Scalar();
      if (name == "match") {
        ASSIGN_OR_RETURN(rule.match, r.String(kv.second, where + ".match"));
      } else if (name == "fingerprint") {
        ASSIGN_OR_RETURN(rule.fingerprint, r.String(kv.second, where + ".fingerprint"));
      } else {
        return r.Error(kv.first, where + "." + name, "unknown key (expected match, fingerprint)");
      }
    }
    if (rule.match.empty()) return r.Error(item, where + ".match", "missing");
    if (rule.fingerprint.empty()) return r.Error(item, where + ".fingerprint", "missing");
    std::vector<FingerprintRule> one = {rule};
    if (Status s = CompileFingerprintRules(one); !s.ok()) return r.Error(item, where + ".match", s.message());
    e.rules.push_back(std::move(one[0]));
  }
  return Status::OK();
}

Status ParseDiagnosis(const Reader& r, const YAML::Node& node, DiagnosisOptions& d) {
  if (node.IsNull()) return Status::OK();
  if (!node.IsMap()) return r.Error(node, "diagnosis", "expected a mapping");
  constexpr double kBig = 1e12;
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    const std::string path = "diagnosis." + name;
    if (name == "enabled") {
      ASSIGN_OR_RETURN(d.enabled, r.Bool(kv.second, path));
    } else if (name == "n_plus_one_queries") {
      ASSIGN_OR_RETURN(d.n_plus_one_queries, r.Double(kv.second, path, 1, kBig));
    } else if (name == "slow_query_total_ms") {
      ASSIGN_OR_RETURN(d.slow_query_total_ms, r.Double(kv.second, path, 0, kBig));
    } else if (name == "slow_duration_ms") {
      ASSIGN_OR_RETURN(d.slow_duration_ms, r.Double(kv.second, path, 0, kBig));
    } else if (name == "python_db_share") {
      ASSIGN_OR_RETURN(d.python_db_share, r.Double(kv.second, path, 0, 1));
    } else {
      return r.Error(kv.first, path,
                     "unknown key (expected enabled, n_plus_one_queries, slow_query_total_ms, "
                     "slow_duration_ms, python_db_share)");
    }
  }
  return Status::OK();
}

// The scalar at a path of mapping keys, or nullopt (no key is added on the way).
std::optional<std::string> ScalarAt(const YAML::Node& root, std::initializer_list<const char*> path) {
  YAML::Node node;
  node.reset(root);  // reset, not '=': assignment would write into the document
  for (const char* key : path) {
    if (!node.IsMap()) return std::nullopt;
    const YAML::Node& map = node;  // const lookups never add keys
    YAML::Node next = map[key];
    if (!next.IsDefined()) return std::nullopt;
    node.reset(next);
  }
  if (!node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

Status ParseKey(const Reader& r, const std::string& name, const YAML::Node& v, Config& c) {
  if (name == "listen") {
    ASSIGN_OR_RETURN(c.listen, r.String(v, name));
    if (auto hp = ParseHostPort(c.listen); !hp.ok()) return r.Error(v, name, hp.status().message());
  } else if (name == "data_dir") {
    ASSIGN_OR_RETURN(c.data_dir, r.String(v, name));
    if (c.data_dir.empty()) return r.Error(v, name, "must not be empty");
  } else if (name == "max_body_bytes") {
    ASSIGN_OR_RETURN(c.max_body_bytes, r.Bytes(v, name));
  } else if (name == "max_inflight_body_bytes") {
    ASSIGN_OR_RETURN(c.max_inflight_body_bytes, r.Bytes(v, name));
  } else if (name == "max_line_bytes") {
    ASSIGN_OR_RETURN(c.max_line_bytes, r.Bytes(v, name));
  } else if (name == "retention_days") {
    ASSIGN_OR_RETURN(int64_t days, r.Int(v, name, 0, 100 * 366));
    c.retention_days = static_cast<int>(days);
  } else if (name == "tenant_fields") {
    ASSIGN_OR_RETURN(c.tenant_fields, r.Strings(v, name));
  } else if (name == "id_fields") {
    ASSIGN_OR_RETURN(c.id_fields, r.Strings(v, name));
  } else if (name == "api_keys") {
    return ParseApiKeys(r, v, c);
  } else if (name == "query") {
    return ParseQuery(r, v, c.query);
  } else if (name == "errors") {
    return ParseErrors(r, v, c.pipeline.errors);
  } else if (name == "fingerprint_rules") {
    return ParseFingerprintRules(r, v, c.pipeline.errors);
  } else if (name == "diagnosis") {
    return ParseDiagnosis(r, v, c.pipeline.diagnosis);
  }
  return Status::OK();  // another module's section
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view listen) {
  const std::string shown = "\"" + std::string(listen) + "\"";
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("expected HOST:PORT, got " + shown);
  }
  HostPort hp;
  std::string_view host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Status::InvalidArgument("IPv6 addresses need brackets ([::1]:7700), got " + shown);
  }
  if (host.empty()) return Status::InvalidArgument("missing host in " + shown);
  hp.host = std::string(host);
  std::string_view port = listen.substr(colon + 1);
  unsigned v = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || v > 65535) {
    return Status::InvalidArgument("port must be a number from 0 to 65535 in " + shown);
  }
  hp.port = static_cast<uint16_t>(v);
  return hp;
}

Result<Config> ParseConfig(std::string_view yaml, std::string_view source) {
  Config c;
  try {
    c.raw = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(source) + ": invalid YAML: " + e.what());
  }
  if (!c.raw.IsDefined() || c.raw.IsNull()) return c;
  if (!c.raw.IsMap()) {
    return Status::InvalidArgument(std::string(source) + ": the document must be a mapping");
  }
  Reader r(source);
  for (const auto& kv : c.raw) {
    if (!kv.first.IsScalar()) return r.Error(kv.first, "?", "keys must be strings");
    RETURN_IF_ERROR(ParseKey(r, kv.first.Scalar(), kv.second, c));
  }
  c.pipeline.tenant_fields = c.tenant_fields;
  // The pipeline's @kind rules follow the field names the cron and health modules are
  // configured with (those modules validate their own sections).
  if (std::optional<std::string> job = ScalarAt(c.raw, {"cron", "fields", "job"})) {
    c.pipeline.cron_job_field = *job;
  }
  if (std::optional<std::string> api = ScalarAt(c.raw, {"health", "external_apis", "api_field"})) {
    c.pipeline.external_api_field = *api;
  }
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno("cannot open config file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::FromErrno("cannot read config file " + path);
  return ParseConfig(text.str(), path);
}

}  // namespace vigil
