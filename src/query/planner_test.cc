#include "query/planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "core/timestamp.h"
#include "query/parser.h"

namespace vigil::query {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kHour = int64_t{3600} * 1'000'000'000;
const int64_t kNow = ParseTimestampString("2024-05-01T12:30:00Z").value();

Plan MakePlan(std::string_view text, const QueryRequest& req = {},
              const PlannerOptions& options = {}) {
  auto ast = ParseQuery(text);
  EXPECT_TRUE(ast.ok()) << ast.status().ToString();
  if (!ast.ok()) return {};
  auto plan = BuildPlan(std::move(ast).value(), req, kNow, options);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? std::move(plan).value() : Plan{};
}

// "column op literal" per pushed predicate.
std::vector<std::string> Pushed(std::string_view text) {
  Plan plan = MakePlan(text);
  std::vector<std::string> out;
  for (const PrunePredicate& p : plan.scan.predicates) {
    const char* op = "?";
    switch (p.op) {
      case PrunePredicate::Op::kEq:
        op = "=";
        break;
      case PrunePredicate::Op::kLt:
        op = "<";
        break;
      case PrunePredicate::Op::kLe:
        op = "<=";
        break;
      case PrunePredicate::Op::kGt:
        op = ">";
        break;
      case PrunePredicate::Op::kGe:
        op = ">=";
        break;
      case PrunePredicate::Op::kToken:
        op = "token";
        break;
      case PrunePredicate::Op::kContains:
        op = "contains";
        break;
    }
    out.push_back(p.column + " " + op + " " + LiteralToString(p.literal));
  }
  return out;
}

std::vector<std::string> Columns(std::string_view text) { return MakePlan(text).scan.columns; }

// The operator lines of the plan (without the Scan and Output lines).
std::vector<std::string> Ops(std::string_view text, const PlannerOptions& options = {}) {
  std::string s = MakePlan(text, {}, options).ToString();
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(s.substr(start, nl - start));
  }
  return std::vector<std::string>(lines.begin() + 1, lines.end());
}

TEST(PushdownTest, TopLevelConjunctsBecomeHints) {
  EXPECT_THAT(Pushed("filter status >= 500 and agency_db = \"agency_contoso_db\""),
              ElementsAre("status >= 500", "agency_db = \"agency_contoso_db\""));
  EXPECT_THAT(Pushed("filter 500 < status"), ElementsAre("status > 500"));
  EXPECT_THAT(Pushed("filter duration_ms <= 2.5 and n = 3 and m < -1"),
              ElementsAre("duration_ms <= 2.5", "n = 3", "m < -1"));
  EXPECT_THAT(Pushed("filter a = 'x' | fields b | filter (c = 'y' and d = 1)"),
              ElementsAre("a = \"x\"", "c = \"y\"", "d = 1"));
}

TEST(PushdownTest, StrictBoundsBeyondDoublePrecisionAreRelaxed) {
  EXPECT_THAT(Pushed("filter id > 9007199254740993 and id < -9007199254740993"),
              ElementsAre("id >= 9007199254740993", "id <= -9007199254740993"));
  EXPECT_THAT(Pushed("filter id > 9007199254740992"), ElementsAre("id > 9007199254740992"));
}

TEST(PushdownTest, OnlyConditionsEveryMatchingRowMeets) {
  EXPECT_THAT(Pushed("filter status = 500 or level = 'ERROR'"), IsEmpty());
  EXPECT_THAT(Pushed("filter not status = 500"), IsEmpty());
  EXPECT_THAT(Pushed("filter status != 500"), IsEmpty());
  EXPECT_THAT(Pushed("filter level > 'E'"), IsEmpty());  // string ranges: not a block hint
  EXPECT_THAT(Pushed("filter ok = true"), IsEmpty());
  EXPECT_THAT(Pushed("filter ispresent(x)"), IsEmpty());
  EXPECT_THAT(Pushed("filter a = b"), IsEmpty());
  EXPECT_THAT(Pushed("filter @timestamp > '2024-05-01T00:00:00Z'"), IsEmpty());  // time range
}

TEST(PushdownTest, PlainLikeIsASubstringCheck) {
  EXPECT_THAT(Pushed("filter message like /Timeout after/ and status >= 500"),
              ElementsAre("message contains \"Timeout after\"", "status >= 500"));
  EXPECT_THAT(Pushed("filter message like 'disk' | filter path =~ /admin/"),
              ElementsAre("message contains \"disk\"", "path contains \"admin\""));
  EXPECT_THAT(Pushed("filter message like /Time.ut/"), IsEmpty());  // regex syntax
  EXPECT_THAT(Pushed("filter message like /(?i)timeout/"), IsEmpty());
  EXPECT_THAT(Pushed("filter message not like /Timeout/"), IsEmpty());
  EXPECT_THAT(Pushed("filter message like ''"), IsEmpty());
  // The rendered event: an event search, only for text that matches only inside a key
  // or a string value (not "500", which a number renders to, nor text with JSON syntax).
  EXPECT_THAT(Pushed("filter @message like /Timeout/"), ElementsAre("@message contains \"Timeout\""));
  EXPECT_THAT(Pushed("filter @message like '500'"), IsEmpty());
  EXPECT_THAT(Pushed("filter @message like 'a:b'"), IsEmpty());
  EXPECT_THAT(Pushed("filter @level like 'ERR'"), IsEmpty());
  EXPECT_THAT(Pushed("filter message like /a/ or status = 1"), IsEmpty());
}

TEST(PushdownTest, NothingPastASortOrLimit) {
  EXPECT_THAT(Pushed("limit 5 | filter status = 500"), IsEmpty());
  EXPECT_THAT(Pushed("sort x | filter status = 500"), IsEmpty());
  EXPECT_THAT(Pushed("filter a = 1 | limit 5 | filter b = 2"), ElementsAre("a = 1"));
}

TEST(PushdownTest, NotOnComputedColumns) {
  EXPECT_THAT(Pushed("fields 'x' as request_id | filter request_id = 'x'"), IsEmpty());
  EXPECT_THAT(Pushed("filter request_id = 'x' | fields 'y' as request_id"),
              ElementsAre("request_id = \"x\""));
}

TEST(ProjectionTest, ColumnsTheQueryReads) {
  EXPECT_THAT(Columns("fields @timestamp, status"), ElementsAre("@timestamp", "status"));
  EXPECT_THAT(Columns("fields status | filter level = 'E' | sort duration_ms desc"),
              ElementsAre("@timestamp", "duration_ms", "level", "status"));
  EXPECT_THAT(Columns("display request_id"), ElementsAre("@timestamp", "request_id"));
  EXPECT_THAT(Columns("filter ispresent(x) | fields y"), ElementsAre("@timestamp", "x", "y"));
  EXPECT_THAT(Columns("fields a as b | display b"), ElementsAre("@timestamp", "a"));
  EXPECT_THAT(Columns("fields status = 500 as err | filter err | display err"),
              ElementsAre("@timestamp", "status"));
  EXPECT_THAT(Columns("fields 'x' as @message | display @message"), ElementsAre("@timestamp"));
  EXPECT_THAT(Columns("sort ispresent(z) | display a"), ElementsAre("@timestamp", "a", "z"));
}

// Fields read only in comparisons with numbers: their String columns can be left out.
TEST(ProjectionTest, FieldsComparedOnlyWithNumbers) {
  auto numeric_only = [](std::string_view text) { return MakePlan(text).scan.numeric_only; };
  EXPECT_THAT(numeric_only("stats sum(status >= 500) / count(*) as r by bin(1h)"), ElementsAre("status"));
  EXPECT_THAT(numeric_only("filter 400 <= status and duration_ms > 1.5 | stats count(*) by endpoint"),
              ElementsAre("duration_ms", "status"));
  EXPECT_THAT(numeric_only("stats sum(status >= 500), count(status) by endpoint"), IsEmpty());
  EXPECT_THAT(numeric_only("filter status = 'failure' or status > 1 | stats count(*)"), IsEmpty());
  EXPECT_THAT(numeric_only("filter status > 1 | fields status"), IsEmpty());
  EXPECT_THAT(numeric_only("filter status > 1"), IsEmpty());  // @message: every column
  EXPECT_THAT(numeric_only("filter a > b | stats count(*)"), IsEmpty());
}

TEST(ProjectionTest, MessageNeedsEveryColumn) {
  EXPECT_THAT(Columns("filter status = 500"), IsEmpty());  // default output has @message
  EXPECT_THAT(Columns("fields @message"), IsEmpty());
  EXPECT_THAT(Columns("fields a | filter @message = 'x' | display a"), IsEmpty());
}

TEST(ProjectionTest, OutputColumns) {
  Plan p = MakePlan("fields @timestamp, status, @ingested as ing | fields x, status");
  ASSERT_EQ(p.output.size(), 4u);
  EXPECT_EQ(p.output[0].name, "@timestamp");
  EXPECT_TRUE(p.output[0].is_time);
  EXPECT_EQ(p.output[1].name, "status");
  EXPECT_FALSE(p.output[1].is_time);
  EXPECT_EQ(p.output[2].name, "ing");
  EXPECT_TRUE(p.output[2].is_time);  // an alias of a time field is a time
  EXPECT_EQ(p.output[3].name, "x");

  Plan d = MakePlan("fields a, b | display b | display c, a");
  ASSERT_EQ(d.output.size(), 2u);  // the last display wins
  EXPECT_EQ(d.output[0].name, "c");
  EXPECT_EQ(d.output[1].name, "a");

  Plan def = MakePlan("filter a = 1");
  ASSERT_EQ(def.output.size(), 2u);
  EXPECT_EQ(def.output[0].name, "@timestamp");
  EXPECT_EQ(def.output[1].name, "@message");
}

struct Range {
  int64_t min, max;
};
Range RangeOf(std::string_view text, const QueryRequest& req = {},
              const PlannerOptions& options = {}) {
  Plan p = MakePlan(text, req, options);
  return {p.scan.min_ts, p.scan.max_ts};
}

TEST(TimeRangeTest, DefaultIsTheLastHour) {
  Range r = RangeOf("filter status = 500");
  EXPECT_EQ(r.min, kNow - kHour);
  EXPECT_EQ(r.max, kNow);
}

TEST(TimeRangeTest, RequestRangeWins) {
  QueryRequest req;
  req.start_ns = 100;
  req.end_ns = 200;
  Range r = RangeOf("filter request_id = 'r1'", req);
  EXPECT_EQ(r.min, 100);
  EXPECT_EQ(r.max, 200);
  QueryRequest end_only;
  end_only.end_ns = 10 * kHour;
  r = RangeOf("filter a = 1", end_only);
  EXPECT_EQ(r.min, 9 * kHour);  // the hour before the given end
  EXPECT_EQ(r.max, 10 * kHour);
}

TEST(TimeRangeTest, IdLookupSearchesAllTime) {
  for (const char* q : {"filter request_id = 'r1'", "filter trace_id = \"t\" and level = 'E'",
                        "filter 'r1' = request_id", "fields a | filter request_id = 'r1'"}) {
    Plan p = MakePlan(q);
    EXPECT_TRUE(p.id_lookup) << q;
    EXPECT_EQ(p.scan.min_ts, kMin) << q;
    EXPECT_EQ(p.scan.max_ts, kMax) << q;
  }
  for (const char* q : {"filter request_id = 'r1' or a = 1", "filter request_id = 5",
                        "filter not request_id = 'r1'", "filter request_id != 'r1'",
                        "filter span_id = 's'", "limit 3 | filter request_id = 'r1'"}) {
    Plan p = MakePlan(q);
    EXPECT_FALSE(p.id_lookup) << q;
    EXPECT_EQ(p.scan.min_ts, kNow - kHour) << q;
  }
  QueryRequest start_only;
  start_only.start_ns = 5;
  Range r = RangeOf("filter request_id = 'r1'", start_only);
  EXPECT_EQ(r.min, 5);
  EXPECT_EQ(r.max, kMax);
}

TEST(TimeRangeTest, IdFieldsAreAParameter) {
  PlannerOptions options;
  options.id_fields = {"correlation_id"};
  EXPECT_TRUE(MakePlan("filter correlation_id = 'c'", {}, options).id_lookup);
  EXPECT_FALSE(MakePlan("filter request_id = 'r'", {}, options).id_lookup);
}

TEST(TimeRangeTest, TimestampConditionsNarrowTheRange) {
  const int64_t t = ParseTimestampString("2024-05-01T00:00:00Z").value();
  Range r = RangeOf("filter @timestamp >= '2024-05-01T00:00:00Z'");
  EXPECT_EQ(r.min, t);
  EXPECT_EQ(r.max, kMax);  // the query scoped time itself: no default window
  r = RangeOf("filter @timestamp < '2024-05-01T00:00:00Z'");
  EXPECT_EQ(r.min, kMin);
  EXPECT_EQ(r.max, t - 1);
  r = RangeOf("filter @timestamp > '2024-05-01T00:00:00Z' and @timestamp <= 1714521600001");
  EXPECT_EQ(r.min, t + 1);
  EXPECT_EQ(r.max, t + 1'000'000);
  r = RangeOf("filter @timestamp = '2024-05-01T00:00:00Z'");
  EXPECT_EQ(r.min, t);
  EXPECT_EQ(r.max, t);
  QueryRequest req;
  req.start_ns = t - kHour;
  req.end_ns = t + kHour;
  r = RangeOf("filter @timestamp >= '2024-05-01T00:00:00Z'", req);  // intersected
  EXPECT_EQ(r.min, t);
  EXPECT_EQ(r.max, t + kHour);
  r = RangeOf("filter @timestamp >= '2024-05-01T00:00:00Z' or a = 1");  // not a conjunct
  EXPECT_EQ(r.min, kNow - kHour);
}

TEST(OrderTest, DefaultOrderIsNewestFirst) {
  Plan p = MakePlan("filter a = 1");
  EXPECT_TRUE(p.default_order);
  EXPECT_THAT(Ops("filter a = 1"), ElementsAre("Filter (a = 1)", "TopN 10000 @timestamp desc"));
  QueryRequest req;
  req.max_rows = 50;
  EXPECT_EQ(MakePlan("fields a", req).ToString(),
            "Scan [" + std::to_string(kNow - kHour) + ", " + std::to_string(kNow) +
                "] columns=@timestamp,a\nTopN 50 @timestamp desc\nOutput a");
}

TEST(OrderTest, IdLookupIsOldestFirst) {
  EXPECT_THAT(Ops("filter request_id = 'r1'"),
              ElementsAre("Filter (request_id = \"r1\")", "TopN 10000 @timestamp asc"));
  EXPECT_THAT(Ops("filter request_id = 'r1' | sort status desc"),
              ElementsAre("Filter (request_id = \"r1\")", "TopN 10000 status desc"));
}

TEST(OrderTest, SortAndLimitBecomeTopN) {
  EXPECT_THAT(Ops("limit 5"), ElementsAre("TopN 5 @timestamp desc"));
  EXPECT_THAT(Ops("sort a, b desc | limit 5"), ElementsAre("TopN 5 a asc, b desc"));
  EXPECT_THAT(Ops("limit 10 | limit 3"), ElementsAre("TopN 3 @timestamp desc"));
  EXPECT_THAT(Ops("sort a | limit 5 | fields a = 1 as c"),
              ElementsAre("TopN 5 a asc", "Project c=(a = 1)"));
  EXPECT_THAT(Ops("fields a = 1 as c | limit 5"),
              ElementsAre("Project c=(a = 1)", "TopN 5 @timestamp desc"));
  EXPECT_THAT(Ops("sort a | fields a = 1 as c | limit 5"),
              ElementsAre("TopN 5 a asc", "Project c=(a = 1)"));
  // A filter after a sort sees every sorted row; the cap comes after it.
  EXPECT_THAT(Ops("sort a | filter b = 1"),
              ElementsAre("Sort a asc", "Filter (b = 1)", "Limit 10000"));
  EXPECT_THAT(Ops("sort ispresent(x) desc"),
              ElementsAre("Project `#sort1`=ispresent(x)", "TopN 10000 `#sort1` desc"));
}

TEST(OrderTest, WithoutDefaultOrderALimitStreams) {
  PlannerOptions options;
  options.default_time_order = false;
  EXPECT_THAT(Ops("filter a = 1 | limit 5", options), ElementsAre("Filter (a = 1)", "Limit 5"));
  EXPECT_THAT(Ops("filter a = 1", options), ElementsAre("Filter (a = 1)", "Limit 10000"));
}

TEST(PlannerTest, BinderErrorsSurface) {
  auto ast = ParseQuery("fields a | filter b > null");
  ASSERT_TRUE(ast.ok());
  auto plan = BuildPlan(std::move(ast).value(), {}, kNow, {});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "line 1, column 21: null can only be compared with a field using = or !=");
}

}  // namespace
}  // namespace vigil::query
