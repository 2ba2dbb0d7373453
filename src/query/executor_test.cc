#include "query/executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "core/json_render.h"
#include "query/parser.h"
#include "query/planner.h"
#include "query/query.h"
#include "query/query_test_util.h"

namespace vigil::query {
namespace {

using test_util::FakeStore;
using test_util::Iso;
using test_util::PruningFakeStore;
using test_util::SampleEvents;
using test_util::SampleNow;
using ::testing::ElementsAre;

constexpr int64_t kMinute = 60 * kNanosPerSecond;
constexpr int64_t kDayMinutes = int64_t{24} * 60;
const int64_t kT0 = Iso("2024-05-01T12:00:00Z");

Value S(const char* s) { return Value(std::string(s)); }
Value I(int64_t i) { return Value(i); }
Value F(double d) { return Value(d); }
Value Null() { return Value(); }
Value At(int64_t minutes) { return Value(kT0 + minutes * kMinute); }

// NOLINTNEXTLINE(performance-unnecessary-value-param): req is modified
QueryResult RunText(Store& store, std::string_view text, QueryRequest req = {}) {
  req.text = std::string(text);
  if (req.now_ns == 0) req.now_ns = SampleNow();
  auto r = RunQuery(store, req);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? std::move(r).value() : QueryResult{};
}

std::vector<std::vector<Value>> Rows(std::string_view text, const QueryRequest& req = {}) {
  FakeStore store(SampleEvents());
  return RunText(store, text, req).rows;
}

std::vector<Value> Col(const std::vector<std::vector<Value>>& rows, size_t i) {
  std::vector<Value> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(r.at(i));
  return out;
}

TEST(ExecutorTest, DefaultOutputIsTimestampAndMessageNewestFirst) {
  FakeStore store(SampleEvents());
  QueryResult r = RunText(store, "filter level = 'ERROR'");
  ASSERT_EQ(r.columns.size(), 2u);
  EXPECT_EQ(r.columns[0].name, "@timestamp");
  EXPECT_TRUE(r.columns[0].is_time);
  EXPECT_EQ(r.columns[1].name, "@message");
  EXPECT_FALSE(r.columns[1].is_time);
  EXPECT_THAT(Col(r.rows, 0), ElementsAre(At(8), At(6), At(3), At(2)));
}

TEST(ExecutorTest, MessageIsStoredTextOrRenderedJson) {
  Batch events = SampleEvents();
  std::vector<std::vector<Value>> rows = Rows("filter request_id = 'r1' | fields @message");
  ASSERT_EQ(rows.size(), 3u);  // an id lookup: all time, oldest first
  std::string old_json, json;
  RenderRowJson(events, 8, &old_json);  // the day-old r1 event
  RenderRowJson(events, 1, &json);      // the 12:02 r1 event (JSON, no stored @message)
  EXPECT_EQ(rows[0][0], Value(old_json));
  EXPECT_EQ(rows[1][0], S("GET /a 200"));
  EXPECT_EQ(rows[2][0], Value(json));
  EXPECT_NE(json.find("\"status\":500"), std::string::npos) << json;
}

TEST(ExecutorTest, IdLookupIsOldestFirstOverAllTime) {
  FakeStore store(SampleEvents());
  QueryResult r = RunText(store, "filter request_id = \"r1\" | fields @timestamp, status");
  EXPECT_THAT(Col(r.rows, 0), ElementsAre(At(-kDayMinutes), At(1), At(2)));
  EXPECT_THAT(Col(r.rows, 1), ElementsAre(I(500), I(200), I(500)));
  EXPECT_EQ(r.stats.start_ns, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.stats.end_ns, std::numeric_limits<int64_t>::max());

  EXPECT_THAT(Col(Rows("filter trace_id = 't-9' | fields @timestamp"), 0),
              ElementsAre(At(1 - kDayMinutes), At(7)));
  // An explicit sort still wins.
  EXPECT_THAT(Col(Rows("filter request_id = 'r1' | sort @timestamp desc | fields status"), 0),
              ElementsAre(I(500), I(200), I(500)));
}

TEST(ExecutorTest, DefaultRangeIsTheLastHour) {
  FakeStore store(SampleEvents());
  QueryResult r = RunText(store, "filter status = 500 | fields @timestamp");
  EXPECT_THAT(Col(r.rows, 0), ElementsAre(At(6), At(2)));  // not the day-old 500
  EXPECT_EQ(r.stats.start_ns, SampleNow() - 60 * kMinute);
  EXPECT_EQ(r.stats.end_ns, SampleNow());
  QueryRequest req;
  req.start_ns = kT0 - (kDayMinutes + 60) * kMinute;
  req.end_ns = kT0;
  EXPECT_THAT(Col(Rows("filter status = 500 | fields @timestamp", req), 0),
              ElementsAre(At(-kDayMinutes)));
}

TEST(ExecutorTest, SortMultiKeyAscDescNullsLast) {
  const char* q = "fields duration_ms | sort duration_ms desc, @timestamp asc";
  EXPECT_THAT(Col(Rows(q), 0),
              ElementsAre(I(250), F(99.5), F(12.5), I(7), F(3.25), Null(), Null(), Null()));
  std::vector<std::vector<Value>> asc =
      Rows("fields duration_ms, @timestamp | sort duration_ms, @timestamp desc");
  EXPECT_THAT(Col(asc, 0),
              ElementsAre(F(3.25), I(7), F(12.5), F(99.5), I(250), Null(), Null(), Null()));
  EXPECT_THAT(Col(asc, 1), ElementsAre(At(7), At(6), At(1), At(4), At(2), At(8), At(5), At(3)));
}

TEST(ExecutorTest, SortAcrossTypesNumbersThenStringsThenNulls) {
  std::vector<std::vector<Value>> asc = Rows("fields status | sort status asc, @timestamp asc");
  EXPECT_THAT(Col(asc, 0), ElementsAre(I(200), I(200), I(404), I(500), F(500.0), S("500"),
                                       S("failure"), Null()));
  std::vector<std::vector<Value>> desc = Rows("fields status | sort status desc, @timestamp asc");
  EXPECT_THAT(Col(desc, 0), ElementsAre(S("failure"), S("500"), I(500), F(500.0), I(404), I(200),
                                        I(200), Null()));
}

TEST(ExecutorTest, Limit) {
  EXPECT_THAT(Col(Rows("fields @timestamp | limit 3"), 0), ElementsAre(At(8), At(7), At(6)));
  EXPECT_THAT(Col(Rows("limit 3 | fields @timestamp"), 0), ElementsAre(At(8), At(7), At(6)));
  EXPECT_THAT(Col(Rows("sort @timestamp asc | limit 2 | fields @timestamp"), 0),
              ElementsAre(At(1), At(2)));
  // A filter after a limit filters the limited rows.
  EXPECT_THAT(Col(Rows("limit 3 | filter status = 200 | fields @timestamp"), 0),
              ElementsAre(At(7)));
  QueryRequest req;
  req.max_rows = 2;
  EXPECT_EQ(Rows("fields @timestamp", req).size(), 2u);
  EXPECT_EQ(Rows("fields @timestamp | limit 5", req).size(), 5u);  // an explicit limit wins
}

TEST(ExecutorTest, TypeRulesEndToEnd) {
  EXPECT_THAT(Col(Rows("filter status = 500 | fields @timestamp"), 0),
              ElementsAre(At(6), At(2)));  // Int 500 and Float 500.0, not the string "500"
  EXPECT_THAT(Col(Rows("filter status = '500' | fields @timestamp"), 0), ElementsAre(At(8)));
  EXPECT_THAT(Col(Rows("filter status = 'failure' | fields @timestamp"), 0), ElementsAre(At(3)));
  EXPECT_THAT(Col(Rows("filter status != 500 | fields @timestamp"), 0),
              ElementsAre(At(7), At(4), At(1)));
  EXPECT_THAT(Col(Rows("filter not status = 500 | fields @timestamp"), 0),
              ElementsAre(At(8), At(7), At(5), At(4), At(3), At(1)));
  EXPECT_THAT(Col(Rows("filter http.status >= 500 | fields http.status"), 0), ElementsAre(I(502)));
}

TEST(ExecutorTest, FieldsComputeAndDisplaySelects) {
  FakeStore store(SampleEvents());
  QueryResult r =
      RunText(store,
              "filter ispresent(ok) | fields @timestamp as t, ok, status >= 400 as bad, "
              "'x' as k | display t, bad, k, ok, missing");
  ASSERT_EQ(r.columns.size(), 5u);
  EXPECT_EQ(r.columns[0].name, "t");
  EXPECT_TRUE(r.columns[0].is_time);
  EXPECT_EQ(r.columns[4].name, "missing");
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_THAT(r.rows[0], ElementsAre(At(8), Value(false), S("x"), Value(true), Null()));
  EXPECT_THAT(r.rows[1], ElementsAre(At(4), Value(true), S("x"), Value(true), Null()));
  EXPECT_THAT(r.rows[2], ElementsAre(At(3), Value(false), S("x"), Value(false), Null()));
}

TEST(ExecutorTest, ComputedColumnsShadowFieldsButNotTheMessage) {
  Batch events = SampleEvents();
  std::string json;
  RenderRowJson(events, 1, &json);
  std::vector<std::vector<Value>> rows = Rows(
      "filter @timestamp = '2024-05-01T12:02:00Z' | fields 'x' as status | "
      "filter status = 'x' | display status, @message");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0], ElementsAre(S("x"), Value(json)));
}

TEST(ExecutorTest, Stats) {
  FakeStore store(SampleEvents(), 2);
  QueryResult r = RunText(store, "filter level = 'ERROR' | limit 2");
  EXPECT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.stats.rows_matched, 4u);  // every match, not just the ones returned
  EXPECT_EQ(r.stats.scan.rows_scanned, 8u);
  EXPECT_GE(r.stats.elapsed_ms, 0);
}

TEST(ExecutorTest, EmptyRangeDoesNotScan) {
  FakeStore store(SampleEvents());
  QueryRequest req;
  req.start_ns = 10;
  req.end_ns = 5;
  EXPECT_TRUE(RunText(store, "fields a", req).rows.empty());
  EXPECT_EQ(store.scans(), 0);
}

TEST(ExecutorTest, StreamingLimitStopsTheScan) {
  FakeStore store(SampleEvents(), 2);
  PlannerOptions options;
  options.default_time_order = false;
  QueryRequest req;
  req.now_ns = SampleNow();
  Plan plan =
      BuildPlan(ParseQuery("filter ispresent(level) | limit 3").value(), req, SampleNow(), options)
          .value();
  QueryResult r = ExecutePlan(plan, store).value();
  EXPECT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(store.batches_sent(), 2);  // of 4: the sink said stop after the third row
}

TEST(ExecutorTest, ErrorsSurface) {
  FakeStore store(SampleEvents());
  QueryRequest req;
  req.text = "filter status >=";
  auto r = RunQuery(store, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "line 1, column 16: expected a value after '>=', found end of query");
  EXPECT_EQ(store.scans(), 0);

  class FailingStore : public FakeStore {
   public:
    FailingStore() : FakeStore(Batch{}) {}
    Status Scan(const ScanSpec&, const ScanSink&, ScanStats*) override {
      return Status::IOError("disk on fire");
    }
  } failing;
  req.text = "fields a";
  auto f = RunQuery(failing, req);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), Code::kIOError);
}

// Predicates are hints: a store that uses them to drop every row they rule out must
// give the same answers as one that ignores them.
TEST(ExecutorTest, PushedPredicatesAreSound) {
  const char* queries[] = {
      "filter status = 500 | fields @timestamp, status",
      "filter status >= 404 and level = 'ERROR'",
      "filter status < 404 | fields status",
      "filter status = 'failure'",
      "filter status = '500' | fields status",
      "filter duration_ms > 10 and duration_ms <= 250 | fields duration_ms",
      "filter duration_ms = 12.5",
      "filter request_id = 'r1' and status = 500",
      "filter http.status = 502",
      "filter status = 500 or status = 'failure'",
      "filter not status = 500",
      "fields 'ERROR' as level | filter level = 'ERROR'",
      "filter level = 'ERROR' | limit 2 | filter status = 500",
      "filter ok = true",
      "filter ok = 1 | fields ok",
      "filter status != 500 | fields status",
      "filter level != 'ERROR'",
      "filter status != 'failure' and duration_ms != 7",
      "filter not (level = 'ERROR' and status = 500)",
      "filter status = 500 or level = 'WARN'",
      "filter status = null",
  };
  uint64_t pruned = 0;
  for (const char* q : queries) {
    FakeStore plain(SampleEvents());
    PruningFakeStore pruning(SampleEvents());
    QueryRequest req;
    req.start_ns = kT0 - 2 * kDayMinutes * kMinute;
    req.end_ns = kT0 + 60 * kMinute;
    EXPECT_EQ(RunText(pruning, q, req).rows, RunText(plain, q, req).rows) << q;
    pruned += pruning.rows_pruned();
  }
  EXPECT_GT(pruned, 0u);  // the comparison above meant something
}

// A random event set big enough for the top-N to prune many times, checked against a
// plain full sort.
TEST(ExecutorTest, TopNMatchesFullSort) {
  std::mt19937 rng(42);
  BatchBuilder b;
  constexpr int kRows = 20000;
  for (int i = 0; i < kRows; ++i) {
    b.BeginRow();
    b.AddInt("@timestamp", kT0 + static_cast<int64_t>(rng() % 1000) * kNanosPerSecond);
    b.AddInt("id", i);
    switch (rng() % 5) {
      case 0:
        b.AddInt("k", static_cast<int64_t>(rng() % 50));
        break;
      case 1:
        b.AddFloat("k", static_cast<double>(rng() % 500) / 10);
        break;
      case 2:
        b.AddString("k", std::string(1, static_cast<char>('a' + rng() % 26)));
        break;
      case 3:
        b.AddBool("k", rng() % 2 == 0);
        break;
      default:
        break;  // missing
    }
    b.EndRow();
  }
  Batch events = b.Finish();
  // The last two orders leave many ties, which must fall in arrival order.
  for (const char* order : {"k desc, @timestamp asc, id", "k, @timestamp desc, id",
                            "@timestamp desc, id desc", "k desc", "@timestamp"}) {
    for (int limit : {1, 10, 37, 3000, 25000}) {
      std::string q =
          "sort " + std::string(order) + " | limit " + std::to_string(limit) + " | fields id";
      FakeStore small_batches(Batch(events), 700);
      QueryRequest req;
      req.start_ns = kT0;
      req.end_ns = kT0 + 1000 * kNanosPerSecond;
      std::vector<std::vector<Value>> got = RunText(small_batches, q, req).rows;
      // The same query with no limit runs as one full sort of everything.
      FakeStore one_batch(Batch(events), kRows);
      req.max_rows = kRows;
      std::string full = "sort " + std::string(order) + " | fields id";
      std::vector<std::vector<Value>> want = RunText(one_batch, full, req).rows;
      want.resize(std::min<size_t>(want.size(), static_cast<size_t>(limit)));
      EXPECT_EQ(got, want) << q;
    }
  }
}

TEST(ExecutorTest, ConcurrentQueries) {
  FakeStore store(SampleEvents(), 2);
  const std::vector<std::vector<Value>> want =
      RunText(store, "filter level = 'ERROR' | fields @timestamp, @message").rows;
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        QueryRequest req;
        req.text = "filter level = 'ERROR' | fields @timestamp, @message";
        req.now_ns = SampleNow();
        auto r = RunQuery(store, req);
        if (!r.ok() || r->rows != want) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace vigil::query

namespace vigil::query {
namespace {

// A table view: rows from a function, refined by the view's prefix and the query, in SQL
// and Logs Insights alike; the store is not scanned.
TEST(ExecutorTest, TableViewRowsReplaceTheScan) {
  ViewRegistry views;
  TableRequest seen;
  int calls = 0;
  TableFn table = [&](const TableRequest& r) -> Result<Batch> {
    seen = r;
    ++calls;
    BatchBuilder b;
    const char* classes[] = {"Errors", "ErrAPI", "ErrAPI"};
    for (int i = 0; i < 3; ++i) {
      b.BeginRow();
      b.AddString("class", classes[i]);
      b.AddString("message", "m" + std::to_string(i));
      b.AddInt("count", 10 * (i + 1));
      b.AddInt("last_seen_at", kT0 + i);
      b.EndRow();
    }
    return b.Finish();
  };
  views.Register(ViewDef{"errors", "groups", "", table, {"class", "message", "count"}, {"last_seen_at"}});
  views.Register(ViewDef{"err_api", "api groups", "source errors | filter class = \"ErrAPI\"", nullptr, {}, {}});
  FakeStore store(SampleEvents());
  QueryOptions opts;
  opts.views = &views;
  QueryRequest req;
  req.now_ns = SampleNow();
  req.text = "SELECT message, count, last_seen_at FROM err_api ORDER BY last_seen_at DESC LIMIT 20";
  auto r = RunQuery(store, req, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r.value().rows.size(), 2u);
  EXPECT_EQ(r.value().rows[0][0], S("m2"));
  EXPECT_EQ(r.value().rows[0][1], I(30));
  EXPECT_EQ(r.value().rows[1][0], S("m1"));
  EXPECT_EQ(store.scans(), 0);
  EXPECT_FALSE(seen.explicit_range);
  EXPECT_EQ(seen.now_ns, SampleNow());

  req.text = "source errors | stats sum(count) as n";
  req.start_ns = 5;
  r = RunQuery(store, req, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(r.value().rows, ElementsAre(ElementsAre(I(60))));
  EXPECT_TRUE(seen.explicit_range);
  EXPECT_EQ(seen.min_ts, 5);
  EXPECT_EQ(calls, 2);

  req.text = "source errors | filter count > 15";
  r = RunQuery(store, req, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r.value().columns.size(), 3u);  // the table's own columns
  EXPECT_EQ(r.value().columns[1].name, "message");
  EXPECT_EQ(r.value().rows.size(), 2u);
  req.text = "source errors | stats max(last_seen_at) as last";
  r = RunQuery(store, req, opts);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r.value().columns[0].is_time);

  auto plan = ExplainQuery(req, opts);
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(plan.value(), ::testing::StartsWith("Table errors"));
}

}  // namespace
}  // namespace vigil::query
