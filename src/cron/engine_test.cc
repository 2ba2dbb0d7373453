#include "cron/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/timestamp.h"

namespace vigil::cron {
namespace {

constexpr int64_t kMin = 60 * kSecondNs;
int64_t Iso(std::string_view s) { return ParseTimestampString(s).value(); }

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = std::filesystem::temp_directory_path() / "cron-engine-XXXXXX";
    dir_ = mkdtemp(tmpl.data());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<StateDb> Db(bool read_only = false) {
    return StateDb::Open(StateDb::PathIn(dir_), read_only).value();
  }
  static CronConfig Config(std::string_view yaml) { return ParseCronConfig(YAML::Load(std::string(yaml))).value(); }

  std::string dir_;
};

constexpr std::string_view kYaml = R"(
cron:
  monitors:
    - job: backup
      interval: 10m
      grace: 5m
      max_runtime: 2m
)";

TEST_F(EngineTest, StatePersistsAcrossReopen) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  {
    auto db = Db();
    auto e = Engine::Open(db.get(), Config(kYaml), t0).value();
    ASSERT_TRUE(e->Start("backup", "acme", "r1", t0 + kMin).ok());
    ASSERT_TRUE(e->Start("backup", "acme", "r2", t0 + 2 * kMin).ok());
    ASSERT_TRUE(e->End("backup", "acme", "r1", t0 + 3 * kMin, false, std::nullopt).ok());
    bool created = false;
    MonitorSpec spec = ParseMonitorSpec("report", {{"schedule", "0 * * * *"}}).value();
    ASSERT_TRUE(e->Put(spec, t0, &created).ok());
    EXPECT_TRUE(created);
    ASSERT_TRUE(e->SetPaused("report", true, t0).ok());
  }
  auto db = Db();
  auto e = Engine::Open(db.get(), Config(kYaml), t0 + 10 * kMin).value();
  ASSERT_TRUE(e->With("backup", [&](const Monitor& m) {
    const Tracker& t = m.trackers().at("acme");
    EXPECT_EQ(t.open_runs.size(), 1u);
    EXPECT_EQ(t.open_runs.count("r2"), 1u);
    EXPECT_EQ(t.consecutive_failures, 1);
    EXPECT_EQ(t.last_start_ns, t0 + 2 * kMin);
    EXPECT_EQ(m.StateOf("acme", t0 + 3 * kMin), State::kRunning);
  }));
  ASSERT_TRUE(e->With("report", [&](const Monitor& m) {
    EXPECT_TRUE(m.paused());
    EXPECT_EQ(m.spec().source, "api");
  }));
  // The run still open after the restart is matched by its id.
  Result<RunOutcome> r = e->End("backup", "acme", "r2", t0 + 4 * kMin, true, std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(*r->duration_ms, 2 * 60000.0);
}

TEST_F(EngineTest, ConfigMonitorsAreOwnedByTheConfig) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  auto db = Db();
  auto e = Engine::Open(db.get(), Config(kYaml), t0).value();
  bool created = false;
  MonitorSpec spec = ParseMonitorSpec("backup", {{"interval", "1h"}}).value();
  EXPECT_EQ(e->Put(spec, t0, &created).code(), Code::kInvalidArgument);
  EXPECT_EQ(e->Delete("backup").code(), Code::kInvalidArgument);
  EXPECT_EQ(e->Delete("nothing").code(), Code::kNotFound);
  EXPECT_EQ(e->SetPaused("nothing", true, t0).code(), Code::kNotFound);
  // Reloading without the monitor removes it; a read-only reader never does.
  {
    auto ro = Db(/*read_only=*/true);
    auto reader = Engine::Open(ro.get(), CronConfig{}, t0).value();
    EXPECT_TRUE(reader->Monitored("backup"));
  }
  ASSERT_TRUE(e->ApplyConfig(CronConfig{}, t0).ok());
  EXPECT_FALSE(e->Monitored("backup"));
  auto again = Engine::Open(db.get(), CronConfig{}, t0).value();
  EXPECT_FALSE(again->Monitored("backup"));
}

TEST_F(EngineTest, ReadOnlyWithoutCronTablesKeepsTheConfigMonitors) {
  {
    auto db = Db();
    ASSERT_TRUE(db->Exec("CREATE TABLE other(x INTEGER)").ok());
  }
  auto ro = Db(/*read_only=*/true);
  auto e = Engine::Open(ro.get(), Config(kYaml), 0);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE((*e)->Monitored("backup"));
}

TEST_F(EngineTest, TickTimesOutRunsAndReportsTransitions) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  auto db = Db();
  auto e = Engine::Open(db.get(), Config(kYaml), t0).value();
  ASSERT_TRUE(e->Start("backup", "", "slow", t0 + kMin).ok());
  TickResult r = e->Tick(t0 + 2 * kMin).value();
  EXPECT_TRUE(r.timeouts.empty());
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].second.to, State::kRunning);
  r = e->Tick(t0 + 3 * kMin).value();
  ASSERT_EQ(r.timeouts.size(), 1u);
  EXPECT_EQ(r.timeouts[0].first, "backup");
  EXPECT_EQ(r.timeouts[0].second.run_id, "slow");
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].second.to, State::kFailing);
  // Due 10 minutes after the start, down 5 minutes later.
  r = e->Tick(t0 + 16 * kMin).value();
  ASSERT_EQ(r.transitions.size(), 1u);
  EXPECT_EQ(r.transitions[0].second.to, State::kDown);
  EXPECT_TRUE(e->Tick(t0 + 17 * kMin).value().transitions.empty());
}

TEST_F(EngineTest, LogRunsCountOnlyForMonitoredJobsAndCheckInsMakeUnscheduledMonitors) {
  const int64_t t0 = Iso("2026-01-01T00:00:00Z");
  auto e = Engine::Open(nullptr, Config(kYaml), t0).value();
  ASSERT_TRUE(e->RecordLogRuns({{"backup", "acme", "", t0 + kMin, false, 500.0},
                                {"other", "acme", "", t0 + kMin, false, 500.0}})
                  .ok());
  EXPECT_FALSE(e->Monitored("other"));
  ASSERT_TRUE(e->With("backup", [](const Monitor& m) { EXPECT_EQ(m.trackers().at("acme").consecutive_failures, 1); }));
  ASSERT_TRUE(e->End("adhoc", "", "", t0, true, 10.0).ok());
  ASSERT_TRUE(e->With("adhoc", [&](const Monitor& m) {
    EXPECT_EQ(m.spec().source, "checkin");
    EXPECT_EQ(m.Overall(t0 + 1000 * kMin), State::kUp);  // never due
  }));
}

}  // namespace
}  // namespace vigil::cron
