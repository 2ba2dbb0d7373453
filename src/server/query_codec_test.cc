#include "server/query_codec.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/timestamp.h"

namespace vigil {
namespace {

constexpr int64_t kNow = 1767225600LL * kNanosPerSecond;  // 2026-01-01T00:00:00Z

TEST(ParseQueryRequestTest, Full) {
  Result<QueryRequest> r = ParseQueryRequest(
      R"({"query": "fields @timestamp | limit 5", "start": 1767225000000, "end": "now", "limit": 7})",
      kNow, 100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "fields @timestamp | limit 5");
  EXPECT_EQ(r->start_ns, 1767225000000LL * 1'000'000);
  EXPECT_EQ(r->end_ns, kNow);
  EXPECT_EQ(r->now_ns, kNow);
  EXPECT_EQ(r->max_rows, 7u);
}

TEST(ParseQueryRequestTest, DefaultsAndFormats) {
  Result<QueryRequest> r = ParseQueryRequest(R"({"query": "x"})", kNow, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->start_ns.has_value());
  EXPECT_FALSE(r->end_ns.has_value());
  EXPECT_EQ(r->max_rows, 100u);

  r = ParseQueryRequest(
      R"({"query": "x", "start": "-15m", "end": "2026-01-01T00:00:00Z", "limit": 1000, "other": 1})",
      kNow, 100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->start_ns, kNow - 15 * 60 * kNanosPerSecond);
  EXPECT_EQ(r->end_ns, kNow);
  EXPECT_EQ(r->max_rows, 100u);  // clamped to the server's cap

  r = ParseQueryRequest(R"({"query": "x", "start": null, "end": 1.5})", kNow, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->start_ns.has_value());
  EXPECT_EQ(r->end_ns, 1'500'000);
}

TEST(ParseQueryRequestTest, Errors) {
  struct Case {
    const char* body;
    const char* expect;
  };
  for (const Case& c : std::vector<Case>{
           {"", "not valid JSON"},
           {"{", "not valid JSON"},
           {"[]", "must be a JSON object"},
           {"{}", "field \"query\": required"},
           {R"({"query": 5})", "field \"query\""},
           {R"({"query": "  "})", "must not be empty"},
           {R"({"query": "x", "start": true})", "field \"start\": expected"},
           {R"({"query": "x", "end": "-5q"})", "field \"end\": invalid relative time"},
           {R"({"query": "x", "start": "garbage"})", "field \"start\""},
           {R"({"query": "x", "limit": 0})", "field \"limit\""},
           {R"({"query": "x", "limit": "5"})", "field \"limit\""},
           {R"({"query": "x", "start": "now", "end": "-1h"})", "is after \"end\""},
       }) {
    Result<QueryRequest> r = ParseQueryRequest(c.body, kNow, 100);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.body << " -> " << r.status().message();
  }
}

TEST(RenderQueryResultTest, Shape) {
  QueryResult q;
  q.columns = {{"@timestamp", true}, {"status", false}, {"msg", false}, {"ratio", false}};
  q.rows.push_back({Value(int64_t{kNow + 2'837'632'000'000}), Value(int64_t{500}),
                    Value(std::string("bad \xff byte")), Value(0.25)});
  q.rows.push_back({Value(), Value(), Value(true), Value()});
  q.stats.scan.rows_scanned = 10;
  q.stats.scan.bytes_read = 300;
  q.stats.scan.blocks_total = 4;
  q.stats.scan.blocks_skipped_bloom = 2;
  q.stats.scan.blocks_skipped_minmax = 1;
  q.stats.scan.parts_total = 3;
  q.stats.scan.parts_skipped = 1;
  q.stats.rows_matched = 2;
  q.stats.elapsed_ms = 1.5;
  q.stats.start_ns = kNow - 3600 * kNanosPerSecond;
  q.stats.end_ns = kNow;
  const std::string json = RenderQueryResult(q);
  EXPECT_EQ(json,
            "{\"columns\":[\"@timestamp\",\"status\",\"msg\",\"ratio\"],"
            "\"rows\":[[\"2026-01-01T00:47:17.632Z\",500,\"bad \xEF\xBF\xBD byte\",0.25],"
            "[null,null,true,null]],"
            "\"stats\":{\"records_scanned\":10,\"records_matched\":2,\"bytes_read\":300,"
            "\"blocks_total\":4,\"blocks_skipped_bloom\":2,\"blocks_skipped_minmax\":1,"
            "\"parts_total\":3,\"parts_skipped\":1,\"elapsed_ms\":1.5,"
            "\"start\":\"2025-12-31T23:00:00.000Z\",\"end\":\"2026-01-01T00:00:00.000Z\"}}");
  simdjson::dom::parser p;
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(json).get(e), simdjson::SUCCESS);
}

}  // namespace
}  // namespace vigil
