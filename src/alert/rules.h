// Alarm rules: what to evaluate (docs/alerting.md).
//
// A rule comes from the `alerting:` section of the config file, from the API (kept in
// state.db) or from the shipped defaults. Its query yields one number per period,
// optionally per group:
//   - binned: the query has a `bin(<period>)` key; each row is one period of one group,
//     periods are epoch-aligned, and closed periods can be cached (evaluator.h);
//   - windowed: no `bin()`; the query runs once per evaluated period over the window
//     (now - (k+1)*period, now - k*period], so its datapoints slide with the clock.
// The value is the column `value` (else the last column); every other column except the
// bin is a group key, and each distinct group is one alarm instance.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/query.h"

namespace vigil::alert {

enum class Comparison { kGt, kGe, kLt, kLe, kEq, kNe };
enum class MissingData { kMissing, kIgnore, kBreaching, kNotBreaching };

const char* ComparisonName(Comparison c);     // ">", ">=", ...
const char* MissingDataName(MissingData m);   // "missing", "ignore", "breaching", "notBreaching"
bool Breaches(Comparison c, double value, double threshold);

// Where a rule was defined; API rules are the only ones the API may change.
enum class RuleOrigin { kDefault, kConfig, kApi };
const char* RuleOriginName(RuleOrigin o);  // "default", "config", "api"

struct Rule {
  std::string name;
  std::string query;
  int64_t period_ns = 0;
  bool binned = false;             // the query has a bin(period) key
  int evaluation_periods = 1;      // N
  int datapoints_to_alarm = 1;     // M (1 <= M <= N)
  Comparison comparison = Comparison::kGt;
  double threshold = 0;
  MissingData missing = MissingData::kMissing;
  int64_t for_ns = 0;              // PENDING this long before ALARM
  int64_t keep_firing_for_ns = 0;  // ALARM at least this long after the last breach
  int64_t evaluation_interval_ns = 0;  // 0: the section's evaluation_interval
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;  // templates (template.h)
  bool send_resolved = true;
  RuleOrigin origin = RuleOrigin::kConfig;

  // The span of data one evaluation looks at: N periods.
  int64_t window_ns() const { return period_ns * evaluation_periods; }
  // Equal when every field that changes evaluation results is equal (cached values of a
  // rule stay valid across a reload exactly when this holds).
  bool SameQuery(const Rule& o) const {
    return query == o.query && period_ns == o.period_ns && binned == o.binned;
  }
};

// The `alerting:` section as far as evaluation is concerned (receivers, routes and
// silences belong to the dispatcher).
struct AlertingConfig {
  int64_t evaluation_interval_ns = 30'000'000'000;
  // Base of alarm links; default http://<listen>, or "" (relative links) when listen
  // asks for port 0.
  std::string external_url;
  std::vector<Rule> rules;   // shipped defaults (unless turned off) + config rules
};

// "250ms", "30s", "5m", "1h", "1d", "1w", or a bare number of seconds. InvalidArgument
// when malformed, negative or zero-unit garbage. Thread-safe.
Result<int64_t> ParseDuration(std::string_view text);
// The shortest exact form: 90s -> "90s", 60s -> "1m", 0 -> "0s".
std::string FormatDuration(int64_t ns);

// Reads one rule. `where` names it in errors ("alerting.rules[2]"); every error names the
// rule and the key: `rule "x": threshold: expected a number, got "high"`. With `check`,
// the query is also parsed and planned with those options (views), so a query error is
// reported with its position when the rule is read rather than at every evaluation.
Result<Rule> ParseRule(const YAML::Node& node, std::string_view where, RuleOrigin origin,
                       const QueryOptions* check = nullptr);

// Reads the section (null or undefined: defaults only). Rules named like a default
// replace it; `defaults: false` drops every default, `defaults: {logs_silent: false}`
// one of them. Duplicate names are an error. `listen` is the server's HOST:PORT.
Result<AlertingConfig> ParseAlertingConfig(const YAML::Node& alerting, std::string_view listen,
                                           const QueryOptions* check = nullptr);

// The shipped default rules (docs/alerting.md, "Shipped defaults").
std::vector<Rule> DefaultRules();

// A rule written back as YAML text (block style) that ParseRule reads to the same rule;
// API rules are stored like this.
std::string RuleToYaml(const Rule& rule);

}  // namespace vigil::alert
