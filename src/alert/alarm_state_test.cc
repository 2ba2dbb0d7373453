#include "alert/alarm_state.h"

#include <gtest/gtest.h>

namespace vigil::alert {
namespace {

constexpr int64_t kMin = 60'000'000'000;

// Points written as text, oldest first: 'X' breaches (value 10), '0' does not (value 0),
// '-' is missing. The rule alarms on value > 5.
std::vector<Datapoint> Points(std::string_view s) {
  std::vector<Datapoint> out;
  for (char c : s) {
    if (c == '-') {
      out.push_back({});
    } else {
      out.push_back({true, c == 'X' ? 10.0 : 0.0});
    }
  }
  return out;
}

Rule MakeRule(int m, int n, MissingData missing) {
  Rule r;
  r.name = "r";
  r.period_ns = kMin;
  r.datapoints_to_alarm = m;
  r.evaluation_periods = n;
  r.comparison = Comparison::kGt;
  r.threshold = 5;
  r.missing = missing;
  return r;
}

struct DecideCase {
  int m, n;
  MissingData missing;
  const char* points;
  Verdict want;
};

class DecideTable : public ::testing::TestWithParam<DecideCase> {};

TEST_P(DecideTable, MOfNWithMissingData) {
  const DecideCase& c = GetParam();
  Decision d = Decide(MakeRule(c.m, c.n, c.missing), Points(c.points));
  EXPECT_EQ(static_cast<int>(d.verdict), static_cast<int>(c.want))
      << c.m << " of " << c.n << " " << MissingDataName(c.missing) << " " << c.points;
}

constexpr auto kMis = MissingData::kMissing;
constexpr auto kIgn = MissingData::kIgnore;
constexpr auto kBr = MissingData::kBreaching;
constexpr auto kNb = MissingData::kNotBreaching;

INSTANTIATE_TEST_SUITE_P(
    Cases, DecideTable,
    ::testing::Values(
        // Every datapoint present: only M of N matters.
        DecideCase{3, 3, kMis, "XXX", Verdict::kAlarm}, DecideCase{3, 3, kMis, "XX0", Verdict::kOk},
        DecideCase{3, 5, kMis, "X0X0X", Verdict::kAlarm}, DecideCase{3, 5, kMis, "X0X00", Verdict::kOk},
        DecideCase{1, 5, kMis, "0000X", Verdict::kAlarm}, DecideCase{5, 5, kMis, "XXXX0", Verdict::kOk},
        // Some missing: breaching fills the gaps, the others do not.
        DecideCase{3, 3, kMis, "XX-", Verdict::kOk}, DecideCase{3, 3, kIgn, "XX-", Verdict::kOk},
        DecideCase{3, 3, kBr, "XX-", Verdict::kAlarm}, DecideCase{3, 3, kNb, "XX-", Verdict::kOk},
        DecideCase{2, 5, kMis, "-X-X-", Verdict::kAlarm}, DecideCase{1, 5, kMis, "-0---", Verdict::kOk},
        DecideCase{3, 5, kBr, "0-0--", Verdict::kAlarm}, DecideCase{3, 5, kBr, "00-0-", Verdict::kOk},
        // All missing: the four modes differ.
        DecideCase{1, 3, kMis, "---", Verdict::kInsufficientData},
        DecideCase{1, 3, kIgn, "---", Verdict::kKeep}, DecideCase{1, 3, kBr, "---", Verdict::kAlarm},
        DecideCase{1, 3, kNb, "---", Verdict::kOk}, DecideCase{3, 3, kBr, "---", Verdict::kAlarm}));

TEST(Decide, ReportsNewestValueAndCounts) {
  Rule r = MakeRule(2, 4, kMis);
  std::vector<Datapoint> p = {{true, 7}, {true, 1}, {true, 9}, {}};
  Decision d = Decide(r, p);
  EXPECT_EQ(d.breaching, 2);
  EXPECT_EQ(d.present, 3);
  ASSERT_TRUE(d.value.has_value());
  EXPECT_EQ(*d.value, 9);
}

TEST(Breaches, EveryComparison) {
  EXPECT_TRUE(Breaches(Comparison::kGt, 2, 1));
  EXPECT_FALSE(Breaches(Comparison::kGt, 1, 1));
  EXPECT_TRUE(Breaches(Comparison::kGe, 1, 1));
  EXPECT_TRUE(Breaches(Comparison::kLt, 0, 1));
  EXPECT_FALSE(Breaches(Comparison::kLt, 1, 1));
  EXPECT_TRUE(Breaches(Comparison::kLe, 1, 1));
  EXPECT_TRUE(Breaches(Comparison::kEq, 1, 1));
  EXPECT_FALSE(Breaches(Comparison::kEq, 1.5, 1));
  EXPECT_TRUE(Breaches(Comparison::kNe, 1.5, 1));
  EXPECT_FALSE(Breaches(Comparison::kNe, 1, 1));
}

// Runs verdicts one per minute from t=0 ('A' alarm, 'O' ok, 'I' insufficient, 'K' keep)
// and returns the state after each as one letter (O P A I).
std::string States(const Rule& r, std::string_view verdicts, InstanceState* last = nullptr) {
  InstanceState s;
  std::string out;
  int64_t t = 0;
  for (char c : verdicts) {
    Verdict v = c == 'A' ? Verdict::kAlarm : c == 'O' ? Verdict::kOk : c == 'I' ? Verdict::kInsufficientData : Verdict::kKeep;
    s = Step(r, s, v, 1.0, t);
    out += "OPAI"[static_cast<int>(s.state)];
    t += kMin;
  }
  if (last) *last = s;
  return out;
}

TEST(Step, WithoutForFiresAtOnceAndResolvesAtOnce) {
  Rule r = MakeRule(1, 1, kMis);
  EXPECT_EQ(States(r, "OAAOIA"), "OAAOIA");
}

TEST(Step, ForHoldsPendingUntilItHasLasted) {
  Rule r = MakeRule(1, 1, kMis);
  r.for_ns = 2 * kMin;
  InstanceState s;
  EXPECT_EQ(States(r, "OAAAAO", &s), "OPPAAO");
  // Pending began at minute 1; firing at minute 3 = 1 + for.
  InstanceState mid;
  States(r, "OAAA", &mid);
  EXPECT_EQ(mid.firing_since_ns, 3 * kMin);
  EXPECT_EQ(mid.since_ns, 3 * kMin);
}

TEST(Step, PendingIsResetByAnyOtherVerdictButKeep) {
  Rule r = MakeRule(1, 1, kMis);
  r.for_ns = 2 * kMin;
  EXPECT_EQ(States(r, "AAOAAA"), "PPOPPA");
  EXPECT_EQ(States(r, "AIAA"), "PIPP");
  // Keep (ignore with no data) holds the timer: pending since 0, fires at 2.
  EXPECT_EQ(States(r, "AKA"), "PPA");
}

TEST(Step, FlappingFasterThanForNeverFires) {
  Rule r = MakeRule(1, 1, kMis);
  r.for_ns = 2 * kMin;
  EXPECT_EQ(States(r, "AOAOAOAOAO"), "POPOPOPOPO");
  r.for_ns = 0;
  EXPECT_EQ(States(r, "AOAOAO"), "AOAOAO");
}

TEST(Step, KeepFiringForHoldsAlarmAfterTheLastBreach) {
  Rule r = MakeRule(1, 1, kMis);
  r.keep_firing_for_ns = 3 * kMin;
  // Last breach at minute 1: ALARM through minute 3, OK at minute 4 (1 + 3).
  EXPECT_EQ(States(r, "AAOOOOO"), "AAAAOOO");
  // A new breach while kept restarts the hold.
  EXPECT_EQ(States(r, "AOOAOOOO"), "AAAAAAOO");
  // Insufficient data is held the same way.
  EXPECT_EQ(States(r, "AIIII"), "AAAII");
}

TEST(Step, KeepFiringForDampensFlapping) {
  Rule r = MakeRule(1, 1, kMis);
  r.keep_firing_for_ns = 2 * kMin;
  std::string states = States(r, "AOAOAOAOOO");
  EXPECT_EQ(states, "AAAAAAAAOO");
}

TEST(Step, RecordsValueAndDataTime) {
  Rule r = MakeRule(1, 1, kMis);
  InstanceState s = Step(r, {}, Verdict::kOk, 3.5, 100);
  EXPECT_EQ(s.last_data_ns, 100);
  s = Step(r, s, Verdict::kInsufficientData, std::nullopt, 200);
  EXPECT_EQ(s.last_data_ns, 100);
  EXPECT_EQ(s.last_eval_ns, 200);
  ASSERT_TRUE(s.value.has_value());
  EXPECT_EQ(*s.value, 3.5);
}

}  // namespace
}  // namespace vigil::alert
