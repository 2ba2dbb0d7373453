#include "alert/rules.h"

#include <gtest/gtest.h>

#include "alert/template.h"

namespace vigil::alert {
namespace {

constexpr int64_t kSec = 1'000'000'000;

Result<AlertingConfig> Parse(const std::string& yaml) {
  YAML::Node doc = YAML::Load(yaml);
  QueryOptions check;
  return ParseAlertingConfig(doc["alerting"], "127.0.0.1:7700", &check);
}

const Rule* Find(const AlertingConfig& c, std::string_view name) {
  for (const Rule& r : c.rules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// The error of parsing `yaml`, or "" when it parsed.
std::string ErrorOf(const std::string& yaml) {
  Result<AlertingConfig> c = Parse(yaml);
  return c.ok() ? "" : c.status().message();
}

TEST(Duration, ParsesUnitsAndFormatsBack) {
  EXPECT_EQ(ParseDuration("250ms").value(), 250'000'000);
  EXPECT_EQ(ParseDuration("30s").value(), 30 * kSec);
  EXPECT_EQ(ParseDuration("5m").value(), 300 * kSec);
  EXPECT_FALSE(ParseDuration("999999999999w").ok());  // overflows int64 ns: an error, not UB
  EXPECT_EQ(ParseDuration("999999999s").value(), 999999999 * kSec);
  EXPECT_EQ(ParseDuration("1h").value(), 3600 * kSec);
  EXPECT_EQ(ParseDuration("1d").value(), 86400 * kSec);
  EXPECT_EQ(ParseDuration("2w").value(), 14 * 86400 * kSec);
  EXPECT_EQ(ParseDuration("45").value(), 45 * kSec);
  EXPECT_FALSE(ParseDuration("5 minutes").ok());
  EXPECT_FALSE(ParseDuration("-5m").ok());
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_EQ(FormatDuration(60 * kSec), "1m");
  EXPECT_EQ(FormatDuration(90 * kSec), "90s");
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(1500'000'000), "1500ms");
}

TEST(AlertingConfig, TheIssueShapeParses) {
  Result<AlertingConfig> c = Parse(R"(
alerting:
  evaluation_interval: 30s
  receivers:
    - name: ops
      webhook: { url: "http://127.0.0.1:9099/hook" }
  routes:
    - receiver: ops
  rules:
    - name: http_5xx_rate
      query: 'filter ispresent(status) | stats sum(status >= 500) / count(*) * 100 as value by bin(1m)'
      period: 1m
      evaluation_periods: 5
      datapoints_to_alarm: 3
      comparison: ">"
      threshold: 1
      treat_missing_data: missing
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->evaluation_interval_ns, 30 * kSec);
  const Rule* r = Find(c.value(), "http_5xx_rate");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->origin, RuleOrigin::kConfig);  // replaces the default of the same name
  EXPECT_TRUE(r->binned);
  EXPECT_EQ(r->period_ns, 60 * kSec);
  EXPECT_EQ(r->evaluation_periods, 5);
  EXPECT_EQ(r->datapoints_to_alarm, 3);
  EXPECT_EQ(r->comparison, Comparison::kGt);
  EXPECT_EQ(r->threshold, 1);
  EXPECT_EQ(r->missing, MissingData::kMissing);
  EXPECT_EQ(c->rules.size(), 4u);  // three other defaults + this one
}

TEST(AlertingConfig, DefaultsAndTurningThemOff) {
  Result<AlertingConfig> all = Parse("alerting: {}");
  ASSERT_TRUE(all.ok());
  std::vector<std::string> names;
  for (const Rule& r : all->rules) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"http_5xx_rate", "http_p95_latency", "cron_failure_rate",
                                             "logs_silent"}));
  for (const Rule& r : all->rules) EXPECT_EQ(r.origin, RuleOrigin::kDefault);
  EXPECT_TRUE(Parse("alerting: {defaults: false}")->rules.empty());
  Result<AlertingConfig> some = Parse("alerting: {defaults: {logs_silent: false, http_p95_latency: false}}");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->rules.size(), 2u);
  EXPECT_EQ(Find(some.value(), "logs_silent"), nullptr);
  EXPECT_NE(ErrorOf("alerting: {defaults: {nope: false}}").find("alerting.defaults.nope"), std::string::npos);
  // No section at all: the defaults.
  EXPECT_EQ(ParseAlertingConfig(YAML::Node(), "h:1")->rules.size(), 4u);
}

TEST(AlertingConfig, DefaultsAreValidQueries) {
  QueryOptions check;
  for (const Rule& r : DefaultRules()) {
    QueryRequest req;
    req.text = r.query;
    req.now_ns = 1;
    EXPECT_TRUE(ExplainQuery(req, check).ok()) << r.name << ": " << ExplainQuery(req, check).status().message();
  }
}

TEST(AlertingConfig, ErrorsNameTheRuleAndTheKey) {
  const std::string head = "alerting:\n  rules:\n    - name: x\n      query: 'stats count(*) as value by bin(1m)'\n";
  EXPECT_EQ(ErrorOf(head + "      threshold: high\n"), "rule \"x\": threshold: expected a number, got \"high\"");
  EXPECT_EQ(ErrorOf(head), "rule \"x\": threshold: is required");
  EXPECT_NE(ErrorOf(head + "      threshold: 1\n      comparison: '=>'\n").find("rule \"x\": comparison: expected one of"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      threshold: 1\n      treat_missing_data: zero\n").find("rule \"x\": treat_missing_data:"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      threshold: 1\n      period: 5m\n").find("rule \"x\": period: 5m differs from the query's bin(1m)"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      threshold: 1\n      evaluation_periods: 2\n      datapoints_to_alarm: 3\n")
                .find("rule \"x\": datapoints_to_alarm: is more than evaluation_periods (2)"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      threshold: 1\n      treshold: 2\n").find("rule \"x\": treshold: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      threshold: 1\n      for: soon\n").find("rule \"x\": for:"), std::string::npos);
  EXPECT_NE(ErrorOf(head + "      threshold: 1\n      annotations: {s: '{{ valu }}'}\n")
                .find("rule \"x\": annotations.s: unknown template variable 'valu'"),
            std::string::npos);
  // A windowed query needs a period; a broken query is reported with its position.
  EXPECT_EQ(ErrorOf("alerting:\n  rules:\n    - {name: w, query: 'stats count(*) as value', threshold: 1}\n"),
            "rule \"w\": period: is required when the query has no bin() (e.g. period: 5m)");
  EXPECT_NE(ErrorOf("alerting:\n  rules:\n    - {name: q, query: 'stats count(* as value by bin(1m)', threshold: 1}\n")
                .find("rule \"q\": query: line 1, column"),
            std::string::npos);
  EXPECT_NE(ErrorOf("alerting:\n  rules:\n    - {query: 'x', threshold: 1}\n").find("alerting.rules[0]: name: is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf(head + "      threshold: 1\n" + "    - {name: x, query: 'stats count(*) by bin(1m)', threshold: 2}\n")
                .find("defined twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf("alerting:\n  evaluation_interval: 0s\n").find("alerting.evaluation_interval"), std::string::npos);
  EXPECT_NE(ErrorOf("alerting:\n  rulez: []\n").find("alerting.rulez: unknown key"), std::string::npos);
}

TEST(AlertingConfig, WindowedRuleAndAllKeys) {
  Result<AlertingConfig> c = Parse(R"(
alerting:
  defaults: false
  external_url: "https://vigil.example/"
  rules:
    - name: slow_checkout
      query: 'filter endpoint = "checkout" | stats avg(duration_ms) as value by agency_db'
      period: 10m
      evaluation_periods: 3
      comparison: ">="
      threshold: 2.5
      treat_missing_data: notBreaching
      for: 5m
      keep_firing_for: 15m
      evaluation_interval: 1m
      send_resolved: false
      labels: {team: web}
      annotations: {summary: '{{ labels.agency_db }} is slow ({{ value }})'}
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->rules.size(), 1u);
  const Rule& r = c->rules[0];
  EXPECT_EQ(c->external_url, "https://vigil.example");
  EXPECT_FALSE(r.binned);
  EXPECT_EQ(r.period_ns, 600 * kSec);
  EXPECT_EQ(r.datapoints_to_alarm, 3);  // defaults to N
  EXPECT_EQ(r.comparison, Comparison::kGe);
  EXPECT_EQ(r.missing, MissingData::kNotBreaching);
  EXPECT_EQ(r.for_ns, 300 * kSec);
  EXPECT_EQ(r.keep_firing_for_ns, 900 * kSec);
  EXPECT_EQ(r.evaluation_interval_ns, 60 * kSec);
  EXPECT_FALSE(r.send_resolved);
  EXPECT_EQ(r.labels.at("team"), "web");
}

TEST(RuleYaml, RoundTrips) {
  for (const Rule& d : DefaultRules()) {
    Rule r = d;
    r.for_ns = 90 * kSec;
    r.threshold = 0.1 + 0.2;
    r.annotations["q"] = "quote \" and {{ value }}";
    Result<Rule> back = ParseRule(YAML::Load(RuleToYaml(r)), "x", RuleOrigin::kApi);
    ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << RuleToYaml(r);
    EXPECT_EQ(back->query, r.query);
    EXPECT_EQ(back->period_ns, r.period_ns);
    EXPECT_EQ(back->binned, r.binned);
    EXPECT_EQ(back->threshold, r.threshold);
    EXPECT_EQ(back->comparison, r.comparison);
    EXPECT_EQ(back->missing, r.missing);
    EXPECT_EQ(back->for_ns, r.for_ns);
    EXPECT_EQ(back->labels, r.labels);
    EXPECT_EQ(back->annotations, r.annotations);
    EXPECT_EQ(back->evaluation_periods, r.evaluation_periods);
    EXPECT_EQ(back->datapoints_to_alarm, r.datapoints_to_alarm);
  }
}

TEST(Template, ExpandsVariablesAndRejectsUnknownOnes) {
  TemplateVars v;
  v.value = "3.5";
  v.threshold = "1";
  v.rule = "r";
  v.link = "http://x/q";
  v.labels["endpoint"] = "/checkout";
  EXPECT_EQ(ExpandTemplate("{{value}} > {{ threshold }} on {{ labels.endpoint }} ({{ alarm }}) {{link}}", v),
            "3.5 > 1 on /checkout (r) http://x/q");
  EXPECT_EQ(ExpandTemplate("{{ labels.none }}|", v), "|");
  EXPECT_TRUE(CheckTemplate("plain text").ok());
  EXPECT_FALSE(CheckTemplate("{{ value").ok());
  EXPECT_FALSE(CheckTemplate("{{ labels. }}").ok());
  EXPECT_FALSE(CheckTemplate("{{ nope }}").ok());
  EXPECT_EQ(FormatNumber(2), "2");
  EXPECT_EQ(FormatNumber(1.0 / 3), "0.333333");
}

}  // namespace
}  // namespace vigil::alert
