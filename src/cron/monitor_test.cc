#include "cron/monitor.h"

#include <gtest/gtest.h>

#include "core/timestamp.h"

namespace vigil::cron {
namespace {

constexpr int64_t kMin = 60 * kSecondNs;
int64_t Iso(std::string_view s) { return ParseTimestampString(s).value(); }

Monitor Make(std::map<std::string, std::string> settings, int64_t created, FlagRules rules = {}) {
  MonitorSpec spec = ParseMonitorSpec("job", settings).value();
  Schedule schedule = Schedule::Make(spec).value();
  return Monitor(spec, schedule, created, rules);
}

TEST(MonitorTest, IntervalLateThenDownOnTime) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  Monitor m = Make({{"interval", "10m"}, {"grace", "5m"}}, t0);
  EXPECT_EQ(m.Overall(t0 + 10 * kMin - 1), State::kNew);
  EXPECT_EQ(m.Overall(t0 + 10 * kMin), State::kLate);
  EXPECT_EQ(m.Overall(t0 + 15 * kMin - 1), State::kLate);
  EXPECT_EQ(m.Overall(t0 + 15 * kMin), State::kDown);
  m.Start("", "r1", t0 + 16 * kMin);
  EXPECT_EQ(m.Overall(t0 + 17 * kMin), State::kRunning);
  RunOutcome r = m.End("", "r1", t0 + 18 * kMin, true, std::nullopt);
  ASSERT_TRUE(r.duration_ms.has_value());
  EXPECT_DOUBLE_EQ(*r.duration_ms, 120000.0);
  EXPECT_EQ(m.Overall(t0 + 18 * kMin), State::kUp);
  EXPECT_EQ(m.NextDue(""), t0 + 26 * kMin);
  EXPECT_EQ(m.Overall(t0 + 26 * kMin), State::kLate);
  EXPECT_EQ(m.Overall(t0 + 31 * kMin), State::kDown);
}

TEST(MonitorTest, CronScheduleMissedRunIsDownAfterGrace) {
  Monitor m = Make({{"schedule", "0 2 * * *"}, {"tz", "Europe/Berlin"}, {"grace", "10m"}},
                   Iso("2026-01-10T12:00:00Z"));
  // Due at 02:00 Berlin = 01:00Z on the 11th.
  EXPECT_EQ(m.NextDue(""), Iso("2026-01-11T01:00:00Z"));
  EXPECT_EQ(m.Overall(Iso("2026-01-11T00:59:59Z")), State::kNew);
  EXPECT_EQ(m.Overall(Iso("2026-01-11T01:00:00Z")), State::kLate);
  EXPECT_EQ(m.Overall(Iso("2026-01-11T01:09:59Z")), State::kLate);
  EXPECT_EQ(m.Overall(Iso("2026-01-11T01:10:00Z")), State::kDown);
  // A log line reporting a finished run (start = end - duration) brings it back up.
  m.End("", "", Iso("2026-01-11T01:12:00Z"), true, 60000.0);
  EXPECT_EQ(m.Overall(Iso("2026-01-11T01:12:00Z")), State::kUp);
  EXPECT_EQ(m.NextDue(""), Iso("2026-01-12T01:00:00Z"));
}

TEST(MonitorTest, OverlappingRunsAreMatchedByRunId) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  Monitor m = Make({{"interval", "1h"}, {"grace", "5m"}}, t0);
  m.Start("", "a", t0);
  m.Start("", "b", t0 + kMin);
  RunOutcome b = m.End("", "b", t0 + 3 * kMin, false, std::nullopt);
  EXPECT_DOUBLE_EQ(*b.duration_ms, 2 * 60000.0);
  EXPECT_EQ(m.Overall(t0 + 3 * kMin), State::kRunning);  // a is still open
  RunOutcome a = m.End("", "a", t0 + 5 * kMin, true, std::nullopt);
  EXPECT_DOUBLE_EQ(*a.duration_ms, 5 * 60000.0);
  EXPECT_EQ(m.Overall(t0 + 5 * kMin), State::kUp);
  EXPECT_TRUE(m.trackers().at("").open_runs.empty());
}

TEST(MonitorTest, EndWithoutRunIdClosesTheLatestUnnamedStart) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  Monitor m = Make({{"interval", "1h"}}, t0);
  std::string first = m.Start("", "", t0);
  std::string second = m.Start("", "", t0 + kMin);
  EXPECT_NE(first, second);
  RunOutcome r = m.End("", "", t0 + 2 * kMin, true, std::nullopt);
  EXPECT_EQ(r.run_id, "");
  EXPECT_DOUBLE_EQ(*r.duration_ms, 60000.0);
  ASSERT_EQ(m.trackers().at("").open_runs.size(), 1u);
  EXPECT_EQ(m.trackers().at("").open_runs.begin()->first, first);
}

TEST(MonitorTest, RunPastMaxRuntimeTimesOut) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  Monitor m = Make({{"interval", "1h"}, {"max_runtime", "30m"}}, t0);
  m.Start("acme", "r1", t0);
  m.Start("acme", "", t0 + kMin);
  EXPECT_TRUE(m.CollectTimeouts(t0 + 30 * kMin - 1).empty());
  std::vector<TimedOutRun> out = m.CollectTimeouts(t0 + 30 * kMin);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tenant, "acme");
  EXPECT_EQ(out[0].run_id, "r1");
  EXPECT_DOUBLE_EQ(out[0].duration_ms, 30 * 60000.0);
  EXPECT_EQ(m.StateOf("acme", t0 + 30 * kMin), State::kRunning);  // the second run
  out = m.CollectTimeouts(t0 + 31 * kMin);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].run_id, "");  // it had no run id
  EXPECT_EQ(m.StateOf("acme", t0 + 31 * kMin), State::kFailing);
  EXPECT_EQ(m.trackers().at("acme").consecutive_failures, 2);
  EXPECT_TRUE(m.CollectTimeouts(t0 + 40 * kMin).empty());
}

TEST(MonitorTest, FailureThreshold) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  Monitor m = Make({{"interval", "1h"}, {"failure_threshold", "2"}}, t0);
  m.End("", "", t0 + kMin, false, 1000.0);
  EXPECT_EQ(m.Overall(t0 + kMin), State::kUp);
  m.End("", "", t0 + 2 * kMin, false, 1000.0);
  EXPECT_EQ(m.Overall(t0 + 2 * kMin), State::kFailing);
  m.End("", "", t0 + 3 * kMin, true, 1000.0);
  EXPECT_EQ(m.Overall(t0 + 3 * kMin), State::kUp);
}

TEST(MonitorTest, PausedExpectsNothingAndResumeRestartsTheClock) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  Monitor m = Make({{"interval", "10m"}, {"grace", "1m"}}, t0);
  m.Pause();
  EXPECT_EQ(m.Overall(t0 + 60 * kMin), State::kPaused);
  m.Resume(t0 + 60 * kMin);
  EXPECT_EQ(m.Overall(t0 + 60 * kMin), State::kNew);
  EXPECT_EQ(m.Overall(t0 + 70 * kMin), State::kLate);
  EXPECT_EQ(m.Overall(t0 + 71 * kMin), State::kDown);
}

TEST(MonitorTest, TooShortAndTooLongAgainstTheJobsMedian) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  Monitor m = Make({{"interval", "1m"}, {"grace", "1h"}}, t0, FlagRules{20, 5, 5.0});
  const double durations[] = {1000, 1200, 800, 1100, 900};  // median 1000
  int64_t t = t0;
  for (double d : durations) {
    t += kMin;
    EXPECT_EQ(m.End("", "", t, true, d).flags, "");
  }
  EXPECT_EQ(m.End("", "", t += kMin, true, 5001.0).flags, "too_long");  // > 5 x 1000
  EXPECT_EQ(m.End("", "", t += kMin, true, 5000.0).flags, "");         // median now 1050
  EXPECT_EQ(m.End("", "", t += kMin, true, 150.0).flags, "too_short");  // < 1100 / 5
  EXPECT_EQ(m.trackers().at("").flag_counts.at("too_long"), 1);
  EXPECT_EQ(m.trackers().at("").flag_counts.at("too_short"), 1);
  EXPECT_EQ(m.trackers().at("").last_flag, "too_short");
}

TEST(MonitorTest, TooOftenAgainstTheSchedule) {
  const int64_t t0 = Iso("2026-01-01T10:00:00Z");
  Monitor m = Make({{"schedule", "0 * * * *"}, {"grace", "5m"}}, t0 - kMin);
  m.Start("", "a", t0);
  m.End("", "a", t0 + kMin, true, std::nullopt);
  EXPECT_EQ(m.End("", "b", t0 + 20 * kMin, true, 60000.0).flags, "too_often");  // started 10:19
  // 10:56 is within the 5 minute tolerance of 11:00, after the 10:19 start.
  m.Start("", "c", t0 + 56 * kMin);
  EXPECT_EQ(m.trackers().at("").flag_counts.at("too_often"), 1);
  m.Start("", "d", t0 + 58 * kMin);  // a second start in the same hour
  EXPECT_EQ(m.trackers().at("").flag_counts.at("too_often"), 2);
}

TEST(MonitorTest, TenantsAreTrackedApart) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  Monitor m = Make({{"interval", "1h"}, {"grace", "5m"}}, t0);
  m.End("acme", "", t0 + kMin, true, 1000.0);
  m.End("globex", "", t0 + 30 * kMin, false, 1000.0);
  EXPECT_EQ(m.trackers().count(""), 0u);  // the placeholder went away
  EXPECT_EQ(m.StateOf("acme", t0 + 66 * kMin), State::kDown);
  EXPECT_EQ(m.StateOf("globex", t0 + 66 * kMin), State::kFailing);
  EXPECT_EQ(m.Overall(t0 + 66 * kMin), State::kDown);
}

TEST(MonitorTest, TransitionsAreReportedOnce) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  Monitor m = Make({{"interval", "10m"}, {"grace", "5m"}}, t0);
  EXPECT_TRUE(m.Transitions(t0).empty());
  std::vector<Transition> tr = m.Transitions(t0 + 15 * kMin);
  ASSERT_EQ(tr.size(), 1u);
  EXPECT_EQ(tr[0].from, State::kNew);
  EXPECT_EQ(tr[0].to, State::kDown);
  EXPECT_TRUE(m.Transitions(t0 + 16 * kMin).empty());
}

TEST(MonitorSpecTest, Errors) {
  auto err = [](std::map<std::string, std::string> s, std::string job = "job") {
    Result<MonitorSpec> r = ParseMonitorSpec(job, s);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(err({}).find("exactly one of 'schedule'"), std::string::npos);
  EXPECT_NE(err({{"schedule", "* * * * *"}, {"interval", "5m"}}).find("exactly one"), std::string::npos);
  EXPECT_NE(err({{"interval", "5 minutes"}}).find("monitor setting 'interval'"), std::string::npos);
  EXPECT_NE(err({{"schedule", "0 25 * * *"}}).find("hour field"), std::string::npos);
  EXPECT_NE(err({{"schedule", "0 0 30 2 *"}}).find("never fires"), std::string::npos);
  EXPECT_NE(err({{"schedule", "@daily"}, {"tz", "Nowhere/City"}}).find("unknown time zone"), std::string::npos);
  EXPECT_NE(err({{"interval", "1h"}, {"tz", "UTC"}}).find("'tz' applies only"), std::string::npos);
  EXPECT_NE(err({{"interval", "1h"}, {"retries", "3"}}).find("unknown monitor setting 'retries'"),
            std::string::npos);
  EXPECT_NE(err({{"interval", "1h"}, {"failure_threshold", "0"}}).find("1 to 1000"), std::string::npos);
  EXPECT_NE(err({{"interval", "1h"}}, "bad name").find("may only hold"), std::string::npos);
  EXPECT_EQ(ParseDuration("1500ms").value(), 1'500'000'000);
  EXPECT_EQ(ParseDuration("90").value(), 90 * kSecondNs);
  EXPECT_EQ(ParseDuration("2h").value(), 7200 * kSecondNs);
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_FALSE(ParseDuration("1y").ok());
}

}  // namespace
}  // namespace vigil::cron
