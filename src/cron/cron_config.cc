#include "cron/cron_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace vigil::cron {

namespace {

Status KeyError(const YAML::Node& node, std::string_view key, std::string_view what) {
  std::string msg = "config: cron";
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) msg += " (line " + std::to_string(mark.line + 1) + ")";
  return Status::InvalidArgument(msg + ": key '" + std::string(key) + "': " + std::string(what));
}

Result<std::string> Scalar(const YAML::Node& node, std::string_view key) {
  if (!node.IsScalar()) return KeyError(node, key, "expected a single value");
  return node.Scalar();
}

// A field name the generated queries can use unquoted.
Result<std::string> FieldName(const YAML::Node& node, std::string_view key) {
  ASSIGN_OR_RETURN(std::string name, Scalar(node, key));
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
  if (!ok) return KeyError(node, key, "a field name of letters, digits, '_' and '.'");
  return name;
}

Status ReadFields(const YAML::Node& node, CronFields* f) {
  if (!node.IsMap()) return KeyError(node, "fields", "expected a map");
  const std::map<std::string, std::string*> slots = {
      {"job", &f->job},       {"status", &f->status}, {"duration_ms", &f->duration_ms},
      {"error", &f->error},   {"tenant", &f->tenant}, {"run_id", &f->run_id}};
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    auto it = slots.find(key);
    if (it == slots.end()) {
      return KeyError(kv.first, "fields." + key,
                      "unknown field (expected job, status, duration_ms, error, tenant, run_id)");
    }
    ASSIGN_OR_RETURN(*it->second, FieldName(kv.second, "fields." + key));
  }
  return Status::OK();
}

Result<std::vector<std::string>> StringList(const YAML::Node& node, std::string_view key) {
  if (!node.IsSequence() || node.size() == 0) return KeyError(node, key, "expected a non-empty list");
  std::vector<std::string> out;
  for (const auto& item : node) {
    ASSIGN_OR_RETURN(std::string s, Scalar(item, key));
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    out.push_back(std::move(s));
  }
  return out;
}

Result<int64_t> Number(const YAML::Node& node, std::string_view key, int64_t min, int64_t max) {
  ASSIGN_OR_RETURN(std::string s, Scalar(node, key));
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < min || v > max) {
    return KeyError(node, key, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

Result<int64_t> Duration(const YAML::Node& node, std::string_view key) {
  ASSIGN_OR_RETURN(std::string s, Scalar(node, key));
  Result<int64_t> d = ParseDuration(s);
  if (!d.ok()) return KeyError(node, key, d.status().message());
  if (d.value() <= 0) return KeyError(node, key, "must be positive");
  return d;
}

Result<MonitorSpec> ReadMonitor(const YAML::Node& node) {
  if (!node.IsMap()) return KeyError(node, "monitors", "each monitor is a map with 'job'");
  std::string job;
  std::map<std::string, std::string> settings;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    ASSIGN_OR_RETURN(std::string value, Scalar(kv.second, "monitors." + key));
    if (key == "job") {
      job = value;
    } else {
      settings[key] = value;
    }
  }
  if (job.empty()) return KeyError(node, "monitors", "a monitor needs 'job'");
  Result<MonitorSpec> spec = ParseMonitorSpec(job, settings);
  if (!spec.ok()) return KeyError(node, "monitors", spec.status().message());
  spec->source = "config";
  return spec;
}

Status ReadMonitors(const YAML::Node& node, CronConfig* c) {
  if (!node.IsSequence()) return KeyError(node, "monitors", "expected a list");
  for (const auto& item : node) {
    ASSIGN_OR_RETURN(MonitorSpec spec, ReadMonitor(item));
    for (const MonitorSpec& other : c->monitors) {
      if (other.job == spec.job) return KeyError(item, "monitors", "job '" + spec.job + "' is listed twice");
    }
    c->monitors.push_back(std::move(spec));
  }
  return Status::OK();
}

Status ReadKey(const std::string& key, const YAML::Node& v, CronConfig* c) {
  if (key == "fields") return ReadFields(v, &c->fields);
  if (key == "monitors") return ReadMonitors(v, c);
  if (key == "success_values") {
    ASSIGN_OR_RETURN(c->success_values, StringList(v, key));
  } else if (key == "failure_values") {
    ASSIGN_OR_RETURN(c->failure_values, StringList(v, key));
  } else if (key == "tick") {
    ASSIGN_OR_RETURN(c->tick_ns, Duration(v, key));
  } else if (key == "default_range") {
    ASSIGN_OR_RETURN(c->default_range_ns, Duration(v, key));
  } else if (key == "max_runs") {
    ASSIGN_OR_RETURN(int64_t n, Number(v, key, 1, 100'000'000));
    c->max_runs = static_cast<size_t>(n);
  } else if (key == "duration_factor") {
    ASSIGN_OR_RETURN(int64_t n, Number(v, key, 2, 1000));
    c->flags.factor = static_cast<double>(n);
  } else if (key == "duration_history") {
    ASSIGN_OR_RETURN(int64_t n, Number(v, key, 1, 10'000));
    c->flags.history = static_cast<size_t>(n);
  } else if (key == "duration_min_history") {
    ASSIGN_OR_RETURN(int64_t n, Number(v, key, 1, 10'000));
    c->flags.min_history = static_cast<size_t>(n);
  } else {
    return KeyError(v, key,
                    "unknown key (expected fields, success_values, failure_values, tick, default_range, "
                    "max_runs, duration_factor, duration_history, duration_min_history, monitors)");
  }
  return Status::OK();
}

}  // namespace

Result<CronConfig> ParseCronConfig(const YAML::Node& root) {
  CronConfig c;
  if (!root.IsDefined() || root.IsNull() || !root.IsMap()) return c;
  const YAML::Node section = root["cron"];
  if (!section.IsDefined() || section.IsNull()) return c;
  if (!section.IsMap()) return KeyError(section, "cron", "expected a map");
  for (const auto& kv : section) RETURN_IF_ERROR(ReadKey(kv.first.as<std::string>(), kv.second, &c));
  if (c.flags.min_history > c.flags.history) {
    return KeyError(section, "duration_min_history", "must not exceed duration_history");
  }
  return c;
}

std::string NormalizeOutcome(const CronConfig& config, std::string_view status) {
  std::string lower(status);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  // Vigil's own words (check-ins, timeouts) count whatever the configured ones are.
  if (lower == "success" || lower == "failure" || lower == "timed_out") return lower;
  for (const std::string& s : config.success_values)
    if (s == lower) return "success";
  for (const std::string& s : config.failure_values)
    if (s == lower) return "failure";
  return "";
}

}  // namespace vigil::cron
