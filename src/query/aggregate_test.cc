// The Aggregate operator end to end: large groups (sketch paths), the memory budget, and
// grouping across batches.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "query/query.h"
#include "query/query_test_util.h"

namespace vigil::query {
namespace {

using test_util::FakeStore;
using test_util::Iso;

const int64_t kT0 = Iso("2024-05-01T12:00:00Z");

// n events one ms apart: duration_ms = (i * 7919) % 100000 / 10.0, user = "u<i % users>",
// endpoint = "/e<i % 3>".
Batch Events(int n, int users) {
  BatchBuilder b;
  for (int i = 0; i < n; ++i) {
    b.BeginRow();
    b.AddInt(field::kTimestamp, kT0 + int64_t{i} * 1'000'000);
    b.AddFloat("duration_ms", static_cast<double>((int64_t{i} * 7919) % 100000) / 10.0);
    b.AddString("user", "u" + std::to_string(i % users));
    b.AddString("endpoint", "/e" + std::to_string(i % 3));
    b.EndRow();
  }
  return b.Finish();
}

Result<QueryResult> RunStats(Store& store, const std::string& text, size_t budget = size_t{256} << 20) {
  QueryRequest req;
  req.text = text;
  req.start_ns = kT0;
  req.end_ns = kT0 + int64_t{3600} * 1'000'000'000;
  QueryOptions options;
  options.memory_budget_bytes = budget;
  return RunQuery(store, req, options);
}

TEST(AggregateTest, PercentileSketchWithinHalfAPercent) {
  const int n = 60000;
  FakeStore store(Events(n, 10), 4096);
  auto r = RunStats(store, "stats pct(duration_ms, 50) as p50, pct(duration_ms, 99) as p99, "
                      "count(*) as n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(static_cast<double>((int64_t{i} * 7919) % 100000) / 10.0);
  std::sort(v.begin(), v.end());
  auto exact = [&](double q) { return v[static_cast<size_t>(std::ceil(q * n)) - 1]; };
  const auto& row = r->rows.at(0);
  EXPECT_NEAR(std::get<double>(row[0].v), exact(0.5), exact(0.5) * 0.005);
  EXPECT_NEAR(std::get<double>(row[1].v), exact(0.99), exact(0.99) * 0.005);
  EXPECT_EQ(row[2], Value(int64_t{n}));
}

TEST(AggregateTest, CountDistinctExactThenApproximate) {
  FakeStore store(Events(40000, 25000), 4096);
  auto r = RunStats(store, "stats count_distinct(user) as users, count_distinct(endpoint) as e");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const double users = static_cast<double>(std::get<int64_t>(r->rows.at(0)[0].v));
  EXPECT_NEAR(users, 25000, 25000 * 0.025);  // HyperLogLog: 3 standard errors
  EXPECT_EQ(r->rows.at(0)[1], Value(int64_t{3}));  // exact below the threshold
}

TEST(AggregateTest, GroupsSpanBatches) {
  FakeStore store(Events(9000, 10), 1000);
  auto r = RunStats(store, "stats count(*) as n, count_distinct(user) as u by endpoint");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 3u);
  for (const auto& row : r->rows) {
    EXPECT_EQ(row[1], Value(int64_t{3000}));
    EXPECT_EQ(row[2], Value(int64_t{10}));
  }
  EXPECT_EQ(r->rows[0][0], Value(std::string("/e0")));  // in key order
}

TEST(AggregateTest, MemoryBudgetFailsTheQueryCleanly) {
  FakeStore store(Events(50000, 50000), 4096);
  auto r = RunStats(store, "stats count(*) by user", 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(r.status().message().rfind("line 1, column 1: 'stats' needs more than the query "
                                       "memory budget (1 MiB)",
                                       0),
            0u)
      << r.status().message();
  EXPECT_TRUE(RunStats(store, "stats count(*) by endpoint", 1 << 20).ok());
  // A sort without a limit before dedup holds every row: the same budget applies.
  auto s = RunStats(store, "sort user | dedup user | limit 3", 1 << 20);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(s.status().message().rfind("sorting needs more than the query memory budget", 0), 0u)
      << s.status().message();
  EXPECT_TRUE(RunStats(store, "sort user | limit 3", 1 << 20).ok());  // top-N stays small
}

// A store that takes its time over every batch.
class SlowStore : public FakeStore {
 public:
  using FakeStore::FakeStore;
  Status Scan(const ScanSpec& spec, const ScanSink& sink, ScanStats* stats) override {
    ScanSink slow = [&](Batch&& b) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return sink(std::move(b));
    };
    return FakeStore::Scan(spec, slow, stats);
  }
};

TEST(AggregateTest, TimeoutFailsTheQueryAndStopsTheScan) {
  for (const char* text : {"stats count(*) by endpoint", "fields user | limit 5000"}) {
    SlowStore store(Events(2000, 10), 10);  // 200 batches: about a second
    QueryRequest req;
    req.text = text;
    req.start_ns = kT0;
    req.end_ns = kT0 + int64_t{3600} * 1'000'000'000;
    QueryOptions options;
    options.timeout_ms = 50;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = RunQuery(store, req, options);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
    EXPECT_EQ(r.status().message(), "query timed out after 50 ms; narrow the time range or the filter");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(500)) << text;
  }
}

}  // namespace
}  // namespace vigil::query

namespace vigil::query {
namespace {

// count(*) by bin(): runs of one bin (time order), scrambled batches (FakeStore) and
// rows before 1970 (negative timestamps) give the counts of a plain floor division.
TEST(AggregateTest, CountByBinMatchesFloorDivision) {
  const int64_t kMin = int64_t{60} * 1'000'000'000;
  for (int64_t base : {kT0, int64_t{-3} * 3600 * 1'000'000'000 - 7}) {
    BatchBuilder b;
    std::map<int64_t, int64_t> want;
    for (int i = 0; i < 5000; ++i) {
      const int64_t t = base + (i < 2500 ? int64_t{i} * 997'000'000 : int64_t{(i * 7919) % 5000} * 13'000'000);
      b.BeginRow();
      b.AddInt(field::kTimestamp, t);
      b.EndRow();
      int64_t q = t / (5 * kMin);
      if (t % (5 * kMin) < 0) --q;
      want[q * 5 * kMin]++;
    }
    FakeStore store(b.Finish(), 700);
    QueryRequest req;
    req.text = "stats count(*) as n by bin(5m)";
    req.start_ns = base - 3600 * 1'000'000'000LL;
    req.end_ns = base + 3 * 3600 * 1'000'000'000LL;
    auto r = RunQuery(store, req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    std::map<int64_t, int64_t> got;
    for (const auto& row : r->rows) {
      ASSERT_EQ(row.size(), 2u);
      got[std::get<int64_t>(row[0].v)] = std::get<int64_t>(row[1].v);
    }
    EXPECT_EQ(got, want) << "base " << base;
  }
}

}  // namespace
}  // namespace vigil::query
