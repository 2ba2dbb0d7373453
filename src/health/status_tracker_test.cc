#include "health/status_tracker.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/value.h"

namespace vigil::health {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1767225600 * kSec;  // 2026-01-01T00:00:00Z

class StatusTrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("status_tracker_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto t = StatusTracker::Open((dir_ / "state.db").string(), false);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    tracker_ = std::move(t.value());
    config_.default_interval_ns = 3600 * kSec;
    config_.intervals_ns["email_sync"] = 60 * kSec;
  }

  void Report(const std::string& status, int64_t at, const std::string& entity = "mb1",
              const std::string& reason = "") {
    ASSERT_TRUE(tracker_->Apply({{"email_sync", entity, "agency_a", status, reason, at}}).ok());
  }

  // The table at `now` as one map per row.
  std::vector<std::map<std::string, Value>> Rows(int64_t now) {
    auto b = tracker_->Table(now, config_);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    std::vector<std::map<std::string, Value>> out(b.value().rows);
    for (const Column& c : b.value().columns) {
      for (size_t r = 0; r < b.value().rows; ++r) {
        if (c.IsValid(r)) out[r][c.name] = CellValue(c, r);
      }
    }
    return out;
  }

  static Value S(const std::string& s) { return Value(s); }

  std::filesystem::path dir_;
  std::unique_ptr<StatusTracker> tracker_;
  StatusConfig config_;
};

TEST_F(StatusTrackerTest, FirstReportSetsEverything) {
  Report("error", kT0, "mb1", "token expired");
  auto rows = Rows(kT0 + 10 * kSec);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["check"], S("email_sync"));
  EXPECT_EQ(rows[0]["entity"], S("mb1"));
  EXPECT_EQ(rows[0]["tenant"], S("agency_a"));
  EXPECT_EQ(rows[0]["status"], S("error"));
  EXPECT_EQ(rows[0]["reason"], S("token expired"));
  EXPECT_EQ(rows[0]["changed_at"], Value(kT0 + 0 * kSec));
  EXPECT_EQ(rows[0]["last_report"], Value(kT0 + 0 * kSec));
  EXPECT_EQ(rows[0].count("last_ok"), 0u);  // never ok
  EXPECT_EQ(rows[0]["stale"], Value(false));
  EXPECT_EQ(rows[0]["age_s"], Value(10.0));
  EXPECT_EQ(rows[0]["expected_interval_s"], Value(int64_t{60}));
}

TEST_F(StatusTrackerTest, TransitionsMoveChangedAtOnlyWhenStatusChanges) {
  Report("ok", kT0);
  Report("ok", kT0 + 20 * kSec);
  auto rows = Rows(kT0 + 30 * kSec);
  EXPECT_EQ(rows[0]["changed_at"], Value(kT0 + 0 * kSec));
  EXPECT_EQ(rows[0]["last_ok"], Value(kT0 + 20 * kSec));
  EXPECT_EQ(rows[0]["reports"], Value(int64_t{2}));
  Report("disconnected", kT0 + 40 * kSec, "mb1", "revoked");
  Report("disconnected", kT0 + 50 * kSec, "mb1", "still revoked");
  rows = Rows(kT0 + 55 * kSec);
  EXPECT_EQ(rows[0]["status"], S("disconnected"));
  EXPECT_EQ(rows[0]["reason"], S("still revoked"));
  EXPECT_EQ(rows[0]["changed_at"], Value(kT0 + 40 * kSec));
  EXPECT_EQ(rows[0]["last_ok"], Value(kT0 + 20 * kSec));
  Report("ok", kT0 + 70 * kSec);
  rows = Rows(kT0 + 75 * kSec);
  EXPECT_EQ(rows[0]["status"], S("ok"));
  EXPECT_EQ(rows[0]["changed_at"], Value(kT0 + 70 * kSec));
  EXPECT_EQ(rows[0].count("reason"), 0u);
}

TEST_F(StatusTrackerTest, StaleAfterTheChecksIntervalByTheInjectedClock) {
  Report("ok", kT0);
  EXPECT_EQ(Rows(kT0 + 60 * kSec)[0]["stale"], Value(false));  // exactly the interval
  EXPECT_EQ(Rows(kT0 + 61 * kSec)[0]["stale"], Value(true));
  Report("ok", kT0 + 61 * kSec);
  EXPECT_EQ(Rows(kT0 + 62 * kSec)[0]["stale"], Value(false));
  // Another check uses the default interval.
  ASSERT_TRUE(tracker_->Apply({{"crm_sync", "", "", "ok", "", kT0}}).ok());
  auto rows = Rows(kT0 + 1800 * kSec);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["check"], S("crm_sync"));
  EXPECT_EQ(rows[0]["stale"], Value(false));
  EXPECT_EQ(rows[0]["expected_interval_s"], Value(int64_t{3600}));
  EXPECT_EQ(rows[0].count("entity"), 0u);
  EXPECT_EQ(Rows(kT0 + 3601 * kSec)[0]["stale"], Value(true));
}

TEST_F(StatusTrackerTest, OlderReportIsHistoryOnly) {
  Report("error", kT0 + 100 * kSec);
  Report("ok", kT0 + 50 * kSec);  // arrives late
  auto rows = Rows(kT0 + 101 * kSec);
  EXPECT_EQ(rows[0]["status"], S("error"));
  EXPECT_EQ(rows[0]["last_report"], Value(kT0 + 100 * kSec));
  EXPECT_EQ(rows[0]["last_ok"], Value(kT0 + 50 * kSec));
  EXPECT_EQ(rows[0]["reports"], Value(int64_t{2}));
}

TEST_F(StatusTrackerTest, KeysAreCheckEntityTenant) {
  Report("ok", kT0, "mb1");
  Report("error", kT0, "mb2");
  ASSERT_TRUE(tracker_->Apply({{"email_sync", "mb1", "agency_b", "error", "", kT0}}).ok());
  auto rows = Rows(kT0);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["status"], S("ok"));
  EXPECT_EQ(rows[0]["tenant"], S("agency_a"));
  EXPECT_EQ(rows[1]["tenant"], S("agency_b"));
  EXPECT_EQ(rows[2]["entity"], S("mb2"));
}

TEST_F(StatusTrackerTest, StateSurvivesReopenAndReadOnlyReads) {
  Report("ok", kT0);
  tracker_.reset();
  auto ro = StatusTracker::Open((dir_ / "state.db").string(), true);
  ASSERT_TRUE(ro.ok());
  auto b = ro.value()->Table(kT0, config_);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value().rows, 1u);
  EXPECT_FALSE(ro.value()->Apply({{"x", "", "", "ok", "", kT0}}).ok());
}

TEST_F(StatusTrackerTest, ReadOnlyWithoutStateIsEmpty) {
  auto ro = StatusTracker::Open((dir_ / "missing.db").string(), true);
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  auto b = ro.value()->Table(kT0, config_);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value().rows, 0u);
}

}  // namespace
}  // namespace vigil::health
