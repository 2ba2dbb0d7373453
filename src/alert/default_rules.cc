// The shipped default rules: the runbook's three alarms and a silent log pipeline.
#include "alert/rules.h"

namespace vigil::alert {

namespace {

constexpr int64_t kMinute = 60'000'000'000;

Rule Base(std::string name, std::string query, int64_t period, bool binned) {
  Rule r;
  r.name = std::move(name);
  r.query = std::move(query);
  r.period_ns = period;
  r.binned = binned;
  r.origin = RuleOrigin::kDefault;
  r.labels["severity"] = "page";
  return r;
}

}  // namespace

std::vector<Rule> DefaultRules() {
  std::vector<Rule> out;

  // Request events carry an Int status; `status >= 100` skips cron events, whose status
  // is a String ("success"/"failure") and never compares with a number.
  Rule e5 = Base("http_5xx_rate",
                 "filter status >= 100 | stats sum(status >= 500) / count(*) * 100 as value by bin(1m)",
                 kMinute, true);
  e5.evaluation_periods = 5;
  e5.datapoints_to_alarm = 3;
  e5.threshold = 1;
  e5.annotations["summary"] = "HTTP 5xx share is {{ value }}% (threshold {{ threshold }}%)";
  e5.annotations["link"] = "{{ link }}";
  out.push_back(std::move(e5));

  Rule p95 = Base("http_p95_latency",
                  "filter status >= 100 and ispresent(duration_ms) | stats pct(duration_ms, 95) as value by bin(1m)",
                  kMinute, true);
  p95.evaluation_periods = 5;
  p95.datapoints_to_alarm = 3;
  p95.threshold = 5000;
  p95.annotations["summary"] = "p95 request latency is {{ value }} ms (threshold {{ threshold }} ms)";
  p95.annotations["link"] = "{{ link }}";
  out.push_back(std::move(p95));

  // Over the last hour as a sliding window; no cron runs in it is INSUFFICIENT_DATA.
  Rule cron = Base("cron_failure_rate",
                   "filter ispresent(job_name) and (status = \"success\" or status = \"failure\") | "
                   "stats sum(status = \"failure\") / count(*) * 100 as value",
                   60 * kMinute, false);
  cron.threshold = 10;
  cron.annotations["summary"] = "{{ value }}% of cron runs failed in the last hour (threshold {{ threshold }}%)";
  cron.annotations["link"] = "{{ link }}";
  out.push_back(std::move(cron));

  // One instance per source seen sending; a source with no event in the last 10 minutes
  // has no row, and missing data counts as breaching. Alarm history events are Vigil's
  // own and do not count.
  Rule silent = Base("logs_silent",
                     "filter @kind != \"alarm_history\" | stats count(*) as value by "
                     "coalesce(@group, @stream, \"\") as source",
                     10 * kMinute, false);
  silent.comparison = Comparison::kLt;
  silent.threshold = 1;
  silent.missing = MissingData::kBreaching;
  silent.annotations["summary"] = "no logs received from '{{ labels.source }}' for 10 minutes";
  out.push_back(std::move(silent));
  return out;
}

}  // namespace vigil::alert
