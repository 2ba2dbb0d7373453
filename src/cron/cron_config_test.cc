#include "cron/cron_config.h"

#include <gtest/gtest.h>

namespace vigil::cron {
namespace {

TEST(CronConfigTest, DefaultsFieldsAndErrors) {
  CronConfig d = ParseCronConfig(YAML::Load("listen: 1.2.3.4:5")).value();
  EXPECT_EQ(d.fields.job, "job_name");
  EXPECT_EQ(NormalizeOutcome(d, "SUCCESS"), "success");
  EXPECT_EQ(NormalizeOutcome(d, "failed"), "failure");
  EXPECT_EQ(NormalizeOutcome(d, "timed_out"), "timed_out");
  EXPECT_EQ(NormalizeOutcome(d, "started"), "");
  CronConfig c = ParseCronConfig(YAML::Load(R"(
cron:
  fields: {job: task, status: outcome}
  success_values: [Done]
  tick: 250ms
  monitors:
    - {job: a, schedule: "@hourly", tz: Europe/Berlin}
)")).value();
  EXPECT_EQ(c.fields.job, "task");
  EXPECT_EQ(c.fields.status, "outcome");
  EXPECT_EQ(c.fields.duration_ms, "duration_ms");
  EXPECT_EQ(NormalizeOutcome(c, "done"), "success");
  EXPECT_EQ(NormalizeOutcome(c, "success"), "success");  // Vigil's own word always counts
  EXPECT_EQ(NormalizeOutcome(c, "ok"), "");
  EXPECT_EQ(c.tick_ns, 250'000'000);
  ASSERT_EQ(c.monitors.size(), 1u);
  EXPECT_EQ(c.monitors[0].source, "config");
  auto err = [](const char* yaml) {
    Result<CronConfig> r = ParseCronConfig(YAML::Load(yaml));
    EXPECT_FALSE(r.ok()) << yaml;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(err("cron: {colour: red}").find("key 'colour': unknown key"), std::string::npos);
  EXPECT_NE(err("cron: {fields: {job: 'a b'}}").find("fields.job"), std::string::npos);
  EXPECT_NE(err("cron: {fields: {when: x}}").find("unknown field"), std::string::npos);
  EXPECT_NE(err("cron: {tick: 0s}").find("must be positive"), std::string::npos);
  EXPECT_NE(err("cron: {monitors: [{schedule: '@daily'}]}").find("needs 'job'"), std::string::npos);
  EXPECT_NE(err("cron: {monitors: [{job: a, interval: 1h}, {job: a, interval: 2h}]}").find("listed twice"),
            std::string::npos);
  EXPECT_NE(err("cron:\n  monitors:\n    - job: x\n      schedule: '61 * * * *'\n").find("(line 3)"),
            std::string::npos);
  EXPECT_NE(err("cron: {duration_history: 3, duration_min_history: 5}").find("must not exceed"), std::string::npos);
}

}  // namespace
}  // namespace vigil::cron
