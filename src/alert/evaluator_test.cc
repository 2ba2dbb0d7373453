#include "alert/evaluator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <set>
#include <utility>

namespace vigil::alert {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
// A minute boundary, so bins are easy to reason about.
constexpr int64_t kT0 = 1'767'225'600 * kSec;

struct Point {
  int64_t ts;
  std::string group;  // "" when the rule has no groups
  double value;
};

// Answers rule queries from a list of points, the way the real query
// `stats sum(v) as value by [g,] bin(period)` would: one row per (group, bin) that has
// points inside [start, end]. Windowed (bin_ns = 0): one row per group.
class FakeQueries : public QuerySource {
 public:
  FakeQueries(int64_t bin_ns, bool grouped) : bin_ns_(bin_ns), grouped_(grouped) {}

  Result<QueryResult> Run(const QueryRequest& req) override {
    std::unique_lock<std::mutex> lock(mu_);
    requests.emplace_back(*req.start_ns, *req.end_ns);
    if (!error.empty()) return Status::InvalidArgument(error);
    QueryResult r = Answer(req);
    if (after_answer) {
      lock.unlock();
      std::exchange(after_answer, nullptr)();
    }
    return r;
  }

  QueryResult Answer(const QueryRequest& req) {
    std::map<std::pair<std::string, int64_t>, double> sums;
    for (const Point& p : points) {
      if (p.ts < *req.start_ns || p.ts > *req.end_ns) continue;
      int64_t bin = bin_ns_ ? p.ts - p.ts % bin_ns_ : 0;
      sums[{p.group, bin}] += p.value;
    }
    QueryResult r;
    if (grouped_) r.columns.push_back({"g", false});
    if (bin_ns_) r.columns.push_back({"bin(1m)", true});
    r.columns.push_back({"value", false});
    for (const auto& [key, sum] : sums) {
      std::vector<Value> row;
      if (grouped_) row.emplace_back(key.first);
      if (bin_ns_) row.emplace_back(key.second);
      row.emplace_back(sum);
      r.rows.push_back(std::move(row));
    }
    return r;
  }

  std::vector<Point> points;
  std::vector<std::pair<int64_t, int64_t>> requests;
  std::string error;
  std::function<void()> after_answer;  // runs once, after the next answer is computed
  void set_grouped(bool g) { grouped_ = g; }

 private:
  std::mutex mu_;
  int64_t bin_ns_;
  bool grouped_;  // guarded by mu_ in Run; set between evaluations
};

class FakeSink : public NotificationSink {
 public:
  Status Enqueue(const AlertNotice& n) override {
    notices.push_back(n);
    return Status::OK();
  }
  std::vector<AlertNotice> notices;
};

Rule Binned(int m, int n, double threshold) {
  Rule r;
  r.name = "r";
  r.query = "stats sum(v) as value by bin(1m)";
  r.period_ns = kMin;
  r.binned = true;
  r.datapoints_to_alarm = m;
  r.evaluation_periods = n;
  r.threshold = threshold;
  r.labels["severity"] = "page";
  r.annotations["summary"] = "{{ labels.g }} at {{ value }}";
  return r;
}

class EvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("alert_eval_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Evaluator> Open(QuerySource& q, std::vector<Rule> rules, int64_t now) {
    auto store = AlarmStore::Open((dir_ / "state.db").string(), false);
    EXPECT_TRUE(store.ok()) << store.status().message();
    stores_.push_back(std::move(store.value()));
    EvaluatorDeps d;
    d.store = stores_.back().get();
    d.queries = &q;
    d.sink = &sink_;
    d.muted = [this](const std::map<std::string, std::string>& labels, std::string* why) {
      if (mute_label_.empty() || !labels.count(mute_label_)) return false;
      *why = "silence s1 (maintenance)";
      return true;
    };
    d.ingest = [this](Batch&& b) {
      events_ += b.rows;
      return Status::OK();
    };
    auto e = Evaluator::Create(d);
    EXPECT_TRUE(e.ok()) << e.status().message();
    EXPECT_TRUE(e.value()->SetRules(std::move(rules), 30 * kSec, "http://v", now).ok());
    return std::move(e.value());
  }

  // Instance -> state for rule `rule`.
  std::map<std::string, AlarmState> States(const Evaluator& e, const std::string& rule = "r") {
    std::map<std::string, AlarmState> out;
    for (const InstanceView& i : e.Instances(rule)) out[i.instance] = i.st.state;
    return out;
  }

  std::filesystem::path dir_;
  std::vector<std::unique_ptr<AlarmStore>> stores_;
  FakeSink sink_;
  size_t events_ = 0;
  std::string mute_label_;  // notices whose labels have it are muted
};

TEST_F(EvaluatorTest, GroupsBecomeInstancesAndOnlyTheBreachingOneFires) {
  FakeQueries q(kMin, true);
  for (int i = 0; i < 3; ++i) {
    q.points.push_back({kT0 + i * kMin + 5 * kSec, "a", 10});
    q.points.push_back({kT0 + i * kMin + 5 * kSec, "b", 1});
  }
  Rule r = Binned(3, 3, 5);
  auto e = Open(q, {r}, kT0);
  const int64_t now = kT0 + 2 * kMin + 30 * kSec;
  ASSERT_TRUE(e->Evaluate("r", now).ok());
  auto states = States(*e);
  EXPECT_EQ(states.at("g=a"), AlarmState::kAlarm);
  EXPECT_EQ(states.at("g=b"), AlarmState::kOk);
  ASSERT_EQ(sink_.notices.size(), 1u);
  const AlertNotice& n = sink_.notices[0];
  EXPECT_EQ(n.rule, "r");
  EXPECT_EQ(n.instance, "g=a");
  EXPECT_EQ(n.state, AlarmState::kAlarm);
  EXPECT_EQ(n.labels.at("g"), "a");
  EXPECT_EQ(n.labels.at("alertname"), "r");
  EXPECT_EQ(n.labels.at("severity"), "page");
  EXPECT_EQ(n.annotations.at("summary"), "a at 10");
  EXPECT_EQ(n.starts_at_ns, now);
  EXPECT_EQ(n.link, "http://v/api/v1/alarms/r/query?start=" + std::to_string(kT0 / 1'000'000) +
                        "&end=" + std::to_string(now / 1'000'000));
  // One evaluation event per instance plus one state change each (INSUFFICIENT_DATA ->).
  EXPECT_EQ(events_, 4u);
}

TEST_F(EvaluatorTest, ClosedPeriodsAreCachedAndOnlyTheOpenOneIsQueried) {
  FakeQueries q(kMin, false);
  for (int i = 0; i < 10; ++i) q.points.push_back({kT0 + i * kMin + kSec, "", 1});
  auto e = Open(q, {Binned(5, 5, 0.5)}, kT0);
  int64_t now = kT0 + 6 * kMin + 10 * kSec;  // open bin: minute 6
  ASSERT_TRUE(e->Evaluate("r", now).ok());
  ASSERT_EQ(q.requests.size(), 1u);
  EXPECT_EQ(q.requests[0].first, kT0 + 2 * kMin);  // window: minutes 2..6
  EXPECT_EQ(States(*e).at(""), AlarmState::kAlarm);
  // Same minute, later: only the open bin.
  ASSERT_TRUE(e->Evaluate("r", now + 20 * kSec).ok());
  EXPECT_EQ(q.requests.back().first, kT0 + 6 * kMin);
  // Next minute: minute 6 closed since the last query, so from minute 6 on.
  ASSERT_TRUE(e->Evaluate("r", now + kMin).ok());
  EXPECT_EQ(q.requests.back().first, kT0 + 6 * kMin);
  ASSERT_TRUE(e->Evaluate("r", now + kMin + 5 * kSec).ok());
  EXPECT_EQ(q.requests.back().first, kT0 + 7 * kMin);
  EvaluatorStats s = e->stats();
  EXPECT_EQ(s.periods_cached, 0u + 4u + 3u + 4u);
  EXPECT_EQ(s.periods_queried, 5u + 1u + 2u + 1u);
}

TEST_F(EvaluatorTest, CachedValuesDecideExactlyAsAFullScan) {
  // Minutes 0..9 breach only on even minutes; evaluate every 20 s with the cache and
  // compare with a fresh evaluator (no cache) at each step.
  FakeQueries q(kMin, false);
  for (int i = 0; i < 10; ++i) q.points.push_back({kT0 + i * kMin + kSec, "", i % 2 == 0 ? 10.0 : 1.0});
  Rule r = Binned(3, 5, 5);
  auto cached = Open(q, {r}, kT0);
  for (int64_t now = kT0 + 5 * kMin + 2 * kSec; now < kT0 + 10 * kMin; now += 20 * kSec) {
    ASSERT_TRUE(cached->Evaluate("r", now).ok());
    FakeQueries fresh_q(kMin, false);
    fresh_q.points = q.points;
    EvaluatorDeps d;
    auto store = AlarmStore::Open((dir_ / ("fresh" + std::to_string(now) + ".db")).string(), false);
    ASSERT_TRUE(store.ok());
    d.store = store->get();
    d.queries = &fresh_q;
    auto fresh = Evaluator::Create(d);
    ASSERT_TRUE(fresh.ok());
    ASSERT_TRUE(fresh.value()->SetRules({r}, 30 * kSec, "", now).ok());
    ASSERT_TRUE(fresh.value()->Evaluate("r", now).ok());
    // Window minutes m-4..m hold 3 even minutes exactly when m is even.
    const int minute = static_cast<int>((now - kT0) / kMin);
    const AlarmState want = minute % 2 == 0 ? AlarmState::kAlarm : AlarmState::kOk;
    EXPECT_EQ(States(*cached).at(""), want) << "minute " << minute;
    EXPECT_EQ(States(*fresh.value()).at(""), want) << "minute " << minute;
  }
}

TEST_F(EvaluatorTest, LateEventsInACachedPeriodAreQueriedAgain) {
  FakeQueries q(kMin, false);
  Rule r = Binned(1, 3, 5);
  auto e = Open(q, {r}, kT0);
  const int64_t now = kT0 + 2 * kMin + 10 * kSec;
  ASSERT_TRUE(e->Evaluate("r", now).ok());
  EXPECT_EQ(States(*e).at(""), AlarmState::kInsufficientData);
  // An event for minute 0 (closed, cached as "no data") arrives late.
  q.points.push_back({kT0 + 30 * kSec, "", 50});
  e->NoteStored(kT0 + 30 * kSec);
  ASSERT_TRUE(e->Evaluate("r", now + kSec).ok());
  EXPECT_EQ(q.requests.back().first, kT0);
  EXPECT_EQ(States(*e).at(""), AlarmState::kAlarm);
  // An event in the open period does not cut the cache.
  e->NoteStored(now);
  ASSERT_TRUE(e->Evaluate("r", now + 2 * kSec).ok());
  EXPECT_EQ(q.requests.back().first, kT0 + 2 * kMin);
}

TEST_F(EvaluatorTest, EventsStoredWhileTheQueryRunsAreNotLostToTheCache) {
  FakeQueries q(kMin, false);
  auto e = Open(q, {Binned(1, 3, 5)}, kT0);
  const int64_t now = kT0 + 2 * kMin + 10 * kSec;
  // The events of minute 0 become visible after the query answered, before the
  // evaluation cached minute 0 as empty.
  q.after_answer = [&] {
    q.points.push_back({kT0 + 30 * kSec, "", 50});
    e->NoteStored(kT0 + 30 * kSec);
  };
  ASSERT_TRUE(e->Evaluate("r", now).ok());
  EXPECT_EQ(States(*e).at(""), AlarmState::kInsufficientData);
  ASSERT_TRUE(e->Evaluate("r", now + kSec).ok());
  EXPECT_EQ(q.requests.back().first, kT0);
  EXPECT_EQ(States(*e).at(""), AlarmState::kAlarm);
}

TEST_F(EvaluatorTest, AClockThatGoesBackQueriesTheWholeWindow) {
  FakeQueries q(kMin, false);
  q.points.push_back({kT0 + 10 * kSec, "", 10});
  auto e = Open(q, {Binned(1, 3, 5)}, kT0);
  ASSERT_TRUE(e->Evaluate("r", kT0 + 10 * kMin).ok());
  EXPECT_EQ(States(*e).at(""), AlarmState::kInsufficientData);
  ASSERT_TRUE(e->Evaluate("r", kT0 + kMin + 5 * kSec).ok());
  EXPECT_EQ(q.requests.back().first, kT0 - kMin);
  EXPECT_EQ(States(*e).at(""), AlarmState::kAlarm);
}

TEST_F(EvaluatorTest, MissingDataForAnUngroupedRule) {
  FakeQueries q(kMin, false);
  Rule r = Binned(1, 2, 5);
  auto e = Open(q, {r}, kT0);
  ASSERT_TRUE(e->Evaluate("r", kT0 + 5 * kMin).ok());
  EXPECT_EQ(States(*e).at(""), AlarmState::kInsufficientData);
  r.missing = MissingData::kBreaching;
  r.name = "b";
  ASSERT_TRUE(e->SetRules({Binned(1, 2, 5), r}, 30 * kSec, "", kT0).ok());
  ASSERT_TRUE(e->Evaluate("b", kT0 + 5 * kMin).ok());
  EXPECT_EQ(States(*e, "b").at(""), AlarmState::kAlarm);
  EXPECT_EQ(States(*e).at(""), AlarmState::kInsufficientData);
}

TEST_F(EvaluatorTest, WindowedRulesQueryEachSlidingWindow) {
  FakeQueries q(0, true);
  q.points.push_back({kT0 - 30 * kSec, "a", 3});
  q.points.push_back({kT0 - 7 * kMin, "a", 4});
  Rule r = Binned(2, 2, 2);
  r.binned = false;
  r.period_ns = 5 * kMin;
  auto e = Open(q, {r}, kT0);
  ASSERT_TRUE(e->Evaluate("r", kT0).ok());
  ASSERT_EQ(q.requests.size(), 2u);
  EXPECT_EQ(q.requests[0], std::make_pair(kT0 - 5 * kMin + 1, kT0));
  EXPECT_EQ(q.requests[1], std::make_pair(kT0 - 10 * kMin + 1, kT0 - 5 * kMin));
  EXPECT_EQ(States(*e).at("g=a"), AlarmState::kAlarm);
  // 6 minutes later the newest window is empty: 1 of 2 breaching.
  ASSERT_TRUE(e->Evaluate("r", kT0 + 6 * kMin).ok());
  EXPECT_EQ(States(*e).at("g=a"), AlarmState::kOk);
  ASSERT_EQ(sink_.notices.size(), 2u);
  EXPECT_EQ(sink_.notices[1].state, AlarmState::kOk);
  EXPECT_EQ(sink_.notices[1].previous, AlarmState::kAlarm);
  EXPECT_EQ(sink_.notices[1].ends_at_ns, kT0 + 6 * kMin);
}

TEST_F(EvaluatorTest, StateAndPendingTimersSurviveAReopen) {
  FakeQueries q(kMin, true);
  for (int i = 0; i < 30; ++i) q.points.push_back({kT0 + i * kMin, "a", 10});
  Rule r = Binned(1, 1, 5);
  r.for_ns = 3 * kMin;
  {
    auto e = Open(q, {r}, kT0);
    ASSERT_TRUE(e->Evaluate("r", kT0 + 10 * kSec).ok());
    ASSERT_TRUE(e->Evaluate("r", kT0 + kMin).ok());
    auto v = e->Instances("r");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].st.state, AlarmState::kPending);
    EXPECT_EQ(v[0].st.pending_since_ns, kT0 + 10 * kSec);
  }
  auto e = Open(q, {r}, kT0 + 2 * kMin);
  auto v = e->Instances("r");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].st.state, AlarmState::kPending);
  EXPECT_EQ(v[0].st.pending_since_ns, kT0 + 10 * kSec);
  EXPECT_EQ(v[0].labels.at("g"), "a");
  ASSERT_TRUE(e->Evaluate("r", kT0 + 3 * kMin).ok());
  EXPECT_EQ(States(*e).at("g=a"), AlarmState::kPending);  // 2m50s < for
  ASSERT_TRUE(e->Evaluate("r", kT0 + 3 * kMin + 10 * kSec).ok());
  EXPECT_EQ(States(*e).at("g=a"), AlarmState::kAlarm);
}

TEST_F(EvaluatorTest, RemovedRulesResolveFiringInstances) {
  FakeQueries q(kMin, false);
  q.points.push_back({kT0, "", 10});
  auto e = Open(q, {Binned(1, 1, 5)}, kT0);
  ASSERT_TRUE(e->Evaluate("r", kT0 + kSec).ok());
  ASSERT_EQ(sink_.notices.size(), 1u);
  ASSERT_TRUE(e->SetRules({}, 30 * kSec, "", kT0 + 2 * kSec).ok());
  ASSERT_EQ(sink_.notices.size(), 2u);
  EXPECT_EQ(sink_.notices[1].state, AlarmState::kOk);
  EXPECT_TRUE(e->Instances().empty());
  // And they are gone from the store too.
  auto again = Open(q, {Binned(1, 1, 5)}, kT0 + 3 * kSec);
  EXPECT_TRUE(again->Instances().empty());
}

TEST_F(EvaluatorTest, InstancesWithoutDataAreForgottenAfterADay) {
  FakeQueries q(kMin, true);
  q.points.push_back({kT0, "a", 1});
  auto e = Open(q, {Binned(1, 1, 5)}, kT0);
  ASSERT_TRUE(e->Evaluate("r", kT0 + kSec).ok());
  ASSERT_TRUE(e->Evaluate("r", kT0 + 2 * kMin).ok());
  EXPECT_EQ(States(*e).at("g=a"), AlarmState::kInsufficientData);
  ASSERT_TRUE(e->Evaluate("r", kT0 + Evaluator::kForgetAfterNs - kMin).ok());
  EXPECT_EQ(e->Instances().size(), 1u);
  ASSERT_TRUE(e->Evaluate("r", kT0 + Evaluator::kForgetAfterNs + kMin).ok());
  EXPECT_TRUE(e->Instances().empty());
}

TEST_F(EvaluatorTest, QueryErrorsKeepTheStateAndAreCounted) {
  FakeQueries q(kMin, false);
  q.points.push_back({kT0, "", 10});
  auto e = Open(q, {Binned(1, 1, 5)}, kT0);
  ASSERT_TRUE(e->Evaluate("r", kT0 + kSec).ok());
  q.error = "boom";
  Status s = e->Evaluate("r", kT0 + 2 * kSec);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(States(*e).at(""), AlarmState::kAlarm);
  EXPECT_EQ(e->stats().failures, 1u);
  auto h = stores_.back()->History("r", 10);
  ASSERT_TRUE(h.ok());
  ASSERT_FALSE(h->empty());
  EXPECT_EQ(h->front().event, "error");
  EXPECT_EQ(h->front().detail, "boom");
  EXPECT_EQ(e->Evaluate("nope", kT0).code(), Code::kNotFound);
}

TEST_F(EvaluatorTest, ARuleThatStopsGroupingGetsItsSingleInstance) {
  FakeQueries q(kMin, true);
  q.points.push_back({kT0, "a", 10});
  Rule r = Binned(1, 1, 5);
  auto e = Open(q, {r}, kT0);
  ASSERT_TRUE(e->Evaluate("r", kT0 + kSec).ok());
  EXPECT_EQ(States(*e), (std::map<std::string, AlarmState>{{"g=a", AlarmState::kAlarm}}));
  q.set_grouped(false);
  r.query = "stats sum(v) as value by bin(1m) | limit 100";
  ASSERT_TRUE(e->SetRules({r}, 30 * kSec, "", kT0 + 2 * kSec).ok());
  ASSERT_TRUE(e->Evaluate("r", kT0 + 3 * kSec).ok());
  EXPECT_EQ(States(*e), (std::map<std::string, AlarmState>{{"", AlarmState::kAlarm}, {"g=a", AlarmState::kInsufficientData}}));
  // The old group instance goes away once it has had no data for a day.
  ASSERT_TRUE(e->Evaluate("r", kT0 + Evaluator::kForgetAfterNs + kMin).ok());
  EXPECT_EQ(States(*e).count("g=a"), 0u);
}

TEST_F(EvaluatorTest, MutedFiringIsRecordedInTheHistoryAndStillHandedOver) {
  FakeQueries q(kMin, true);
  q.points.push_back({kT0, "a", 10});
  mute_label_ = "severity";
  auto e = Open(q, {Binned(1, 1, 5)}, kT0);
  ASSERT_TRUE(e->Evaluate("r", kT0 + kSec).ok());
  EXPECT_EQ(sink_.notices.size(), 1u);  // the dispatcher decides what a mute means for delivery
  auto h = stores_.back()->History("r", 10);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ(h->front().event, "silenced");
  EXPECT_EQ(h->front().detail, "silence s1 (maintenance)");
  EXPECT_EQ((*h)[1].event, "state_change");
}

TEST_F(EvaluatorTest, TooManyGroupsFailTheEvaluation) {
  FakeQueries q(kMin, true);
  for (size_t i = 0; i <= Evaluator::kMaxInstancesPerRule; ++i) q.points.push_back({kT0, std::to_string(i), 1});
  auto e = Open(q, {Binned(1, 1, 5)}, kT0);
  Status s = e->Evaluate("r", kT0 + kSec);
  EXPECT_EQ(s.code(), Code::kResourceExhausted);
  EXPECT_TRUE(e->Instances().empty());
  q.points.pop_back();
  EXPECT_TRUE(e->Evaluate("r", kT0 + 2 * kSec).ok());
  EXPECT_EQ(e->Instances().size(), Evaluator::kMaxInstancesPerRule);
}

TEST_F(EvaluatorTest, RunDueHonoursIntervals) {
  FakeQueries q(kMin, false);
  Rule fast = Binned(1, 1, 5);
  Rule slow = Binned(1, 1, 5);
  slow.name = "slow";
  slow.evaluation_interval_ns = 5 * kMin;
  auto e = Open(q, {fast, slow}, kT0);
  EXPECT_EQ(e->RunDue(kT0), kT0 + 30 * kSec);
  EXPECT_EQ(q.requests.size(), 2u);
  EXPECT_EQ(e->RunDue(kT0 + 30 * kSec), kT0 + 60 * kSec);
  EXPECT_EQ(q.requests.size(), 3u);
  // A changed rule is due at once; an unchanged one keeps its time.
  slow.threshold = 6;
  ASSERT_TRUE(e->SetRules({fast, slow}, 30 * kSec, "", kT0 + 40 * kSec).ok());
  EXPECT_EQ(e->RunDue(kT0 + 40 * kSec), kT0 + 60 * kSec);
  EXPECT_EQ(q.requests.size(), 4u);
  EXPECT_EQ(q.requests.back().second, kT0 + 40 * kSec);
}

}  // namespace
}  // namespace vigil::alert
