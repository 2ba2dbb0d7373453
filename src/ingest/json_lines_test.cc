#include "ingest/json_lines.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "core/json_render.h"
#include "core/value.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kIngest = 1'800'000'000'000'000'000;  // 2027-01-15, distinct from any line
constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t k2026 = 1'767'225'600 * kSec;

JsonLinesOptions Options() {
  JsonLinesOptions o;
  o.ingest_time_ns = kIngest;
  o.group = "app";
  o.stream = "web-1";
  return o;
}

JsonLinesResult Parse(std::string_view body, const JsonLinesOptions& o = Options()) {
  auto r = ParseJsonLines(body, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : JsonLinesResult{};
}

Value Cell(const Batch& b, std::string_view name, Type type, size_t row = 0) {
  const Column* c = b.Find(name, type);
  return c == nullptr ? Value() : CellValue(*c, row);
}

std::string Render(const Batch& b, size_t row = 0) {
  std::string out;
  RenderRowJson(b, row, &out);
  return out;
}

// Every column has exactly one entry per row: the batch is well formed.
void ExpectConsistent(const Batch& b) {
  for (const Column& c : b.columns) {
    EXPECT_EQ(c.size(), b.rows) << c.name;
    size_t values = c.type == Type::kString  ? c.strs.size()
                    : c.type == Type::kFloat ? c.floats.size()
                                             : c.ints.size();
    EXPECT_EQ(values, b.rows) << c.name;
  }
}

std::vector<size_t> RejectedIndexes(const JsonLinesResult& r) {
  std::vector<size_t> out;
  for (const auto& rej : r.rejected) out.push_back(rej.index);
  return out;
}

TEST(JsonLinesTest, GenLogsLines) {
  const char* body =
      R"({"timestamp":1767225600567,"level":"INFO","logger":"flaskapp","message":"GET /admin/notes 200","request_id":"9d33a01c-353c-431c-9fd4-3f371200339d","endpoint":"admin_views.notes","method":"GET","status":200,"duration_ms":63.5,"query_count":8,"query_total_ms":20.0,"agency_db":"agency_datum_db","user_type":"client"})"
      "\n"
      R"({"timestamp":1767225601122,"level":"WARNING","logger":"flaskapp","message":"stripe slow","request_id":"r2","external_api":"stripe","host":"api.stripe.com","latency_ms":412.7,"status":200,"agency_db":"agency_contoso_db"})"
      "\n"
      R"({"timestamp":1767225602842,"level":"ERROR","logger":"cron","message":"job failed","job_name":"sync_email","db_name":"agency_nod_db","status":"failure","duration_ms":1200.5,"error_message":"Timeout after 3000ms calling gmail"})"
      "\n";
  JsonLinesResult r = Parse(body);
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_TRUE(r.rejected.empty());
  const Batch& b = r.batch;
  ASSERT_EQ(b.rows, 3u);
  ExpectConsistent(b);
  EXPECT_EQ(Cell(b, "@timestamp", Type::kInt, 0), Value(k2026 + 567'000'000));
  EXPECT_EQ(Cell(b, "timestamp", Type::kInt, 0), Value(int64_t{1767225600567}));  // user's stays
  EXPECT_EQ(Cell(b, "@ingested", Type::kInt, 2), Value(kIngest));
  EXPECT_EQ(Cell(b, "@group", Type::kString, 1), Value(std::string("app")));
  EXPECT_EQ(Cell(b, "@stream", Type::kString, 2), Value(std::string("web-1")));
  EXPECT_EQ(Cell(b, "status", Type::kInt, 0), Value(int64_t{200}));
  EXPECT_EQ(Cell(b, "status", Type::kString, 2), Value(std::string("failure")));
  EXPECT_TRUE(Cell(b, "status", Type::kInt, 2).is_null());
  EXPECT_EQ(Cell(b, "duration_ms", Type::kFloat, 0), Value(63.5));
  EXPECT_EQ(Cell(b, "query_total_ms", Type::kFloat, 0), Value(20.0));
  EXPECT_TRUE(Cell(b, "job_name", Type::kString, 0).is_null());
  EXPECT_EQ(Cell(b, "job_name", Type::kString, 2), Value(std::string("sync_email")));
}

TEST(JsonLinesTest, FlattensNestedObjects) {
  JsonLinesResult r = Parse(R"({"http":{"status":503,"req":{"path":"/x","ok":false}},"a":{}})");
  ASSERT_EQ(r.accepted, 1u);
  EXPECT_EQ(Cell(r.batch, "http.status", Type::kInt), Value(int64_t{503}));
  EXPECT_EQ(Cell(r.batch, "http.req.path", Type::kString), Value(std::string("/x")));
  EXPECT_EQ(Cell(r.batch, "http.req.ok", Type::kBool), Value(false));
  EXPECT_TRUE(r.batch.FindAll("a").empty());
  EXPECT_EQ(Render(r.batch), R"({"http":{"status":503,"req":{"path":"/x","ok":false}}})");
}

TEST(JsonLinesTest, ArraysAreStoredAsJsonTextUnderBracketName) {
  JsonLinesResult r = Parse(
      R"({"tags":["a","b\"c"],"mix":[1, -2.5e1, true, null, {"k":"v"}, [], 18446744073709551615],)"
      R"("o":{"ids":[1,2]},"empty":[]})");
  ASSERT_EQ(r.accepted, 1u);
  const Batch& b = r.batch;
  EXPECT_EQ(Cell(b, "tags[]", Type::kString), Value(std::string(R"(["a","b\"c"])")));
  EXPECT_EQ(Cell(b, "mix[]", Type::kString),
            Value(std::string(R"([1,-25.0,true,null,{"k":"v"},[],18446744073709551615])")));
  EXPECT_EQ(Cell(b, "o.ids[]", Type::kString), Value(std::string("[1,2]")));
  EXPECT_EQ(Cell(b, "empty[]", Type::kString), Value(std::string("[]")));
  EXPECT_TRUE(b.FindAll("tags").empty());
  EXPECT_EQ(Render(b),
            R"({"tags":["a","b\"c"],"mix":[1,-25.0,true,null,{"k":"v"},[],18446744073709551615],)"
            R"("o":{"ids":[1,2]},"empty":[]})");
}

TEST(JsonLinesTest, NullIsAbsentBoolIsBool) {
  JsonLinesResult r = Parse(R"({"x":null,"ok":true,"n":{"y":null}})");
  ASSERT_EQ(r.accepted, 1u);
  EXPECT_TRUE(r.batch.FindAll("x").empty());
  EXPECT_TRUE(r.batch.FindAll("n.y").empty());
  EXPECT_EQ(Cell(r.batch, "ok", Type::kBool), Value(true));
}

TEST(JsonLinesTest, BigIntegers) {
  JsonLinesResult r = Parse(
      R"({"max":9223372036854775807,"min":-9223372036854775808,"over":9223372036854775808,)"
      R"("u64":18446744073709551615,"f":1.5e300})");
  ASSERT_EQ(r.accepted, 1u);
  const Batch& b = r.batch;
  EXPECT_EQ(Cell(b, "max", Type::kInt), Value(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(Cell(b, "min", Type::kInt), Value(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(Cell(b, "over", Type::kFloat), Value(9223372036854775808.0));
  EXPECT_EQ(Cell(b, "u64", Type::kFloat), Value(18446744073709551615.0));
  EXPECT_EQ(Cell(b, "f", Type::kFloat), Value(1.5e300));
}

TEST(JsonLinesTest, EveryTimestampForm) {
  const int64_t want = k2026 + 632'000'000;
  const char* lines[] = {
      R"({"timestamp":1767225600.632})",           R"({"timestamp":1767225600632})",
      R"({"timestamp":1767225600632000})",         R"({"timestamp":1767225600632000000})",
      R"({"timestamp":"2026-01-01T00:00:00.632Z"})", R"({"timestamp":"2026-01-01 02:00:00.632+02:00"})",
      R"({"timestamp":"1767225600632"})",          R"({"@timestamp":"2026-01-01T00:00:00.632Z"})",
      R"({"time":"2026-01-01T00:00:00.632Z"})",    R"({"ts":1767225600.632})",
  };
  for (const char* line : lines) {
    JsonLinesResult r = Parse(line);
    ASSERT_EQ(r.accepted, 1u) << line << ": " << (r.rejected.empty() ? "" : r.rejected[0].reason);
    EXPECT_EQ(Cell(r.batch, "@timestamp", Type::kInt), Value(want)) << line;
  }
}

TEST(JsonLinesTest, TimestampKeyPriority) {
  JsonLinesResult r = Parse(R"({"ts":1,"time":2,"@timestamp":3,"timestamp":4})");
  EXPECT_EQ(Cell(r.batch, "@timestamp", Type::kInt), Value(4 * kSec));
  r = Parse(R"({"ts":1,"time":2})");
  EXPECT_EQ(Cell(r.batch, "@timestamp", Type::kInt), Value(2 * kSec));
  r = Parse(R"({"timestamp":null,"ts":5})");  // null is absent
  EXPECT_EQ(Cell(r.batch, "@timestamp", Type::kInt), Value(5 * kSec));
  r = Parse(R"({"meta":{"timestamp":7}})");  // only top-level keys count
  EXPECT_EQ(Cell(r.batch, "@timestamp", Type::kInt), Value(kIngest));
}

TEST(JsonLinesTest, MissingTimestampUsesIngestTime) {
  JsonLinesResult r = Parse(R"({"msg":"hi"})");
  EXPECT_EQ(Cell(r.batch, "@timestamp", Type::kInt), Value(kIngest));
  EXPECT_EQ(Cell(r.batch, "@ingested", Type::kInt), Value(kIngest));
}

TEST(JsonLinesTest, BadTimestampRejectsLineNamingTheField) {
  JsonLinesResult r = Parse(
      "{\"time\":\"2026-02-30T00:00:00Z\",\"a\":1}\n"
      "{\"ts\":true}\n"
      "{\"timestamp\":{\"s\":1}}\n"
      "{\"timestamp\":\"soon\"}\n"
      "{\"a\":2}\n");
  EXPECT_EQ(r.accepted, 1u);
  ASSERT_EQ(r.rejected.size(), 4u);
  EXPECT_THAT(r.rejected[0].reason, HasSubstr("field \"time\""));
  EXPECT_THAT(r.rejected[0].reason, HasSubstr("day 30 out of range"));
  EXPECT_THAT(r.rejected[1].reason, HasSubstr("field \"ts\": expected an epoch number"));
  EXPECT_THAT(r.rejected[2].reason, HasSubstr("field \"timestamp\""));
  EXPECT_THAT(r.rejected[3].reason, HasSubstr("field \"timestamp\""));
  EXPECT_THAT(RejectedIndexes(r), ElementsAre(0, 1, 2, 3));
  ASSERT_EQ(r.batch.rows, 1u);
  EXPECT_EQ(Cell(r.batch, "a", Type::kInt), Value(int64_t{2}));
  EXPECT_TRUE(r.batch.FindAll("time").empty());
  EXPECT_TRUE(r.batch.FindAll("timestamp.s").empty());
  ExpectConsistent(r.batch);
}

TEST(JsonLinesTest, MalformedLineAmongGoodOnes) {
  JsonLinesResult r = Parse(
      "{\"n\":0}\n"
      "\n"
      "{\"n\":1, \"bad\":}\n"
      "   \n"
      "{\"n\":2}\n"
      "[1,2]\n"
      "42\n"
      "{\"n\":3}");
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_THAT(RejectedIndexes(r), ElementsAre(2, 5, 6));
  EXPECT_THAT(r.rejected[0].reason, HasSubstr("invalid JSON"));
  EXPECT_EQ(r.rejected[1].reason, "not a JSON object");
  EXPECT_EQ(r.rejected[2].reason, "not a JSON object");
  ASSERT_EQ(r.batch.rows, 3u);
  for (int64_t i = 0; i < 3; ++i)
    EXPECT_EQ(Cell(r.batch, "n", Type::kInt, i), Value(i == 0 ? int64_t{0} : i + 1));
  EXPECT_TRUE(r.batch.FindAll("bad").empty());
}

TEST(JsonLinesTest, InvalidUtf8IsRejected) {
  JsonLinesResult r = Parse("{\"a\":\"ok\"}\n{\"a\":\"bad \xC3\x28\"}\n{\"k\xFF\":1}\n");
  EXPECT_EQ(r.accepted, 1u);
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_THAT(r.rejected[0].reason, HasSubstr("UTF-8"));
  EXPECT_EQ(r.rejected[1].index, 2u);
}

TEST(JsonLinesTest, OverLongLineIsRejectedWithoutParsing) {
  JsonLinesOptions o = Options();
  o.max_line_bytes = 20;
  // Broken JSON on the long line: the size is the reason, it is never parsed.
  JsonLinesResult r = Parse("{\"a\":\"short\"}\n{\"a\":\"this line is far too long\"\n{\"b\":1}", o);
  EXPECT_EQ(r.accepted, 2u);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].index, 1u);
  EXPECT_EQ(r.rejected[0].reason, "line is 32 bytes, over the 20-byte limit");
}

TEST(JsonLinesTest, JsonArrayBody) {
  JsonLinesResult r = Parse(" \n[{\"n\":1},\n {\"n\":2, \"t\":{\"x\":\"y\"}}]\n");
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_EQ(Cell(r.batch, "n", Type::kInt, 1), Value(int64_t{2}));
  EXPECT_EQ(Cell(r.batch, "t.x", Type::kString, 1), Value(std::string("y")));
  EXPECT_EQ(Cell(r.batch, "@group", Type::kString, 1), Value(std::string("app")));
}

TEST(JsonLinesTest, ArrayWithNonObjectElement) {
  JsonLinesResult r = Parse(R"([{"n":1}, 7, "x", null, [], {"n":2}, {"ts":"never"}])");
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_THAT(RejectedIndexes(r), ElementsAre(1, 2, 3, 4, 6));
  EXPECT_EQ(r.rejected[0].reason, "not a JSON object");
  EXPECT_THAT(r.rejected[4].reason, HasSubstr("field \"ts\""));
  EXPECT_EQ(Cell(r.batch, "n", Type::kInt, 1), Value(int64_t{2}));
  ExpectConsistent(r.batch);
}

TEST(JsonLinesTest, UnterminatedArrayFailsTheBody) {
  auto r = ParseJsonLines(R"([{"n":1}, {"n":2})", Options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("invalid JSON array"));
  auto trailing = ParseJsonLines("[{\"n\":1}]\n{\"n\":2}\n", Options());
  EXPECT_FALSE(trailing.ok());
}

TEST(JsonLinesTest, EmptyBodies) {
  for (std::string_view body : {"", "\n", " \r\n\t\n", "\xEF\xBB\xBF"}) {
    JsonLinesResult r = Parse(body);
    EXPECT_EQ(r.accepted, 0u);
    EXPECT_TRUE(r.rejected.empty());
    EXPECT_EQ(r.batch.rows, 0u);
    EXPECT_TRUE(r.batch.columns.empty());
  }
  JsonLinesResult r = Parse("[]");
  EXPECT_EQ(r.accepted, 0u);
  EXPECT_TRUE(r.rejected.empty());
}

TEST(JsonLinesTest, CrlfLineEndings) {
  JsonLinesResult r = Parse("{\"a\":\"x\"}\r\n\r\n{\"a\":\"y\"}\r\n");
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_TRUE(r.rejected.empty());
  EXPECT_EQ(Cell(r.batch, "a", Type::kString, 1), Value(std::string("y")));
}

TEST(JsonLinesTest, UserAtKeysGetAnotherAt) {
  JsonLinesResult r = Parse(R"({"@timestamp":"2026-01-01T00:00:00Z","@level":"x","@":1,"a":{"@b":2}})");
  ASSERT_EQ(r.accepted, 1u);
  const Batch& b = r.batch;
  EXPECT_EQ(Cell(b, "@@timestamp", Type::kString), Value(std::string("2026-01-01T00:00:00Z")));
  EXPECT_EQ(Cell(b, "@timestamp", Type::kInt), Value(k2026));
  EXPECT_EQ(Cell(b, "@@level", Type::kString), Value(std::string("x")));
  EXPECT_TRUE(b.FindAll("@level").empty());
  EXPECT_EQ(Cell(b, "@@", Type::kInt), Value(int64_t{1}));
  EXPECT_EQ(Cell(b, "a.@b", Type::kInt), Value(int64_t{2}));
  EXPECT_EQ(Render(b), R"({"@timestamp":"2026-01-01T00:00:00Z","@level":"x","@":1,"a":{"@b":2}})");
}

TEST(JsonLinesTest, PlainTextMode) {
  JsonLinesOptions o = Options();
  o.accept_plain_text = true;
  JsonLinesResult r = Parse("[INFO] started\n{\"a\":1}\n\"quoted\"\nbad \xFF byte\n", o);
  EXPECT_EQ(r.accepted, 4u);
  EXPECT_TRUE(r.rejected.empty());
  const Batch& b = r.batch;
  EXPECT_EQ(Cell(b, "@message", Type::kString, 0), Value(std::string("[INFO] started")));
  EXPECT_TRUE(Cell(b, "@message", Type::kString, 1).is_null());
  EXPECT_EQ(Cell(b, "a", Type::kInt, 1), Value(int64_t{1}));
  EXPECT_EQ(Cell(b, "@message", Type::kString, 2), Value(std::string("\"quoted\"")));
  EXPECT_EQ(Cell(b, "@message", Type::kString, 3), Value(std::string("bad \xEF\xBF\xBD byte")));
  EXPECT_EQ(Cell(b, "@timestamp", Type::kInt, 0), Value(kIngest));
  EXPECT_EQ(Cell(b, "@stream", Type::kString, 3), Value(std::string("web-1")));
  // Without the option a body starting with '[' must be a JSON array.
  EXPECT_FALSE(ParseJsonLines("[INFO] started\n", Options()).ok());
  JsonLinesResult strict = Parse("INFO started\n{\"a\":1}\n");
  EXPECT_EQ(strict.accepted, 1u);
  EXPECT_THAT(RejectedIndexes(strict), ElementsAre(0));
}

TEST(JsonLinesTest, DepthLimit) {
  auto nested = [](int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i) s += "{\"k\":";
    s += "1";
    for (int i = 0; i < depth; ++i) s += "}";
    return s;
  };
  JsonLinesResult r = Parse(nested(32) + "\n" + nested(33) + "\n");
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_THAT(RejectedIndexes(r), ElementsAre(1));
  EXPECT_THAT(r.rejected[0].reason, HasSubstr("nested deeper than 32 levels"));
  std::string deep_array = "{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}";
  r = Parse(deep_array);
  EXPECT_THAT(RejectedIndexes(r), ElementsAre(0));
  EXPECT_TRUE(r.batch.columns.empty());
}

TEST(JsonLinesTest, FieldLimit) {
  auto fields = [](int n) {
    std::string s = "{";
    for (int i = 0; i < n; ++i) s += (i ? ",\"f" : "\"f") + std::to_string(i) + "\":1";
    return s + "}";
  };
  JsonLinesResult r = Parse(fields(1000) + "\n" + fields(1001) + "\n");
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_THAT(RejectedIndexes(r), ElementsAre(1));
  EXPECT_THAT(r.rejected[0].reason, HasSubstr("more than 1000 fields"));
  EXPECT_TRUE(r.batch.FindAll("f1000").empty());
  ExpectConsistent(r.batch);
}

TEST(JsonLinesTest, RejectedLineLeavesNoTrace) {
  JsonLinesResult r = Parse(
      "{\"a\":1,\"s\":\"keep\"}\n"
      "{\"a\":2,\"s\":\"drop\",\"new\":\"x\",\"arr\":[1],\"ts\":\"bad\"}\n"
      "{\"a\":3}\n");
  EXPECT_EQ(r.accepted, 2u);
  const Batch& b = r.batch;
  ASSERT_EQ(b.rows, 2u);
  ExpectConsistent(b);
  EXPECT_TRUE(b.FindAll("new").empty());
  EXPECT_TRUE(b.FindAll("arr[]").empty());
  EXPECT_TRUE(b.FindAll("ts").empty());
  EXPECT_EQ(Cell(b, "a", Type::kInt, 1), Value(int64_t{3}));
  EXPECT_TRUE(Cell(b, "s", Type::kString, 1).is_null());
  EXPECT_EQ(b.Find("s", Type::kString)->strs.bytes(), 4u);  // "drop" is gone
}

TEST(JsonLinesTest, DuplicateKeysKeepTheLast) {
  JsonLinesResult r = Parse(R"({"a":"first","a":"second","n":1,"n":2})");
  EXPECT_EQ(Cell(r.batch, "a", Type::kString), Value(std::string("second")));
  EXPECT_EQ(Cell(r.batch, "n", Type::kInt), Value(int64_t{2}));
  ExpectConsistent(r.batch);
}

TEST(JsonLinesTest, LinesNearTheEndOfTheBodyAndInsideLargerBuffers) {
  // The last line, short lines and a view into a larger buffer: the parser must never
  // read past the body for padding, and a body's bytes after a line must not leak in.
  std::string buffer = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}GARBAGE";
  std::string_view body(buffer.data(), buffer.size() - 7);
  JsonLinesResult r = Parse(body);
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_EQ(Cell(r.batch, "c", Type::kInt, 2), Value(int64_t{3}));
}

TEST(JsonLinesTest, EmptyGroupAndStreamAreNotStored) {
  JsonLinesOptions o;
  o.ingest_time_ns = kIngest;
  JsonLinesResult r = Parse("{\"a\":1}", o);
  EXPECT_TRUE(r.batch.FindAll("@group").empty());
  EXPECT_TRUE(r.batch.FindAll("@stream").empty());
}

TEST(JsonLinesTest, ManyLinesWithChangingShapes) {
  std::string body;
  for (int i = 0; i < 2000; ++i) {
    if (i % 3 == 0) body += "{\"x\":" + std::to_string(i) + ",\"s\":\"v" + std::to_string(i) + "\"}\n";
    if (i % 3 == 1) body += "{\"s\":\"w\",\"x\":" + std::to_string(i) + ",\"y\":true}\n";
    if (i % 3 == 2) body += "{\"x\":" + std::to_string(i) + ",\"bad\":}\n";
  }
  JsonLinesResult r = Parse(body);
  EXPECT_EQ(r.accepted, 1334u);
  EXPECT_EQ(r.rejected.size(), 666u);
  ExpectConsistent(r.batch);
  size_t row = 0;
  for (int i = 0; i < 2000; ++i) {
    if (i % 3 == 2) continue;
    ASSERT_EQ(Cell(r.batch, "x", Type::kInt, row), Value(int64_t{i}));
    EXPECT_EQ(Cell(r.batch, "y", Type::kBool, row).is_null(), i % 3 == 0);
    ++row;
  }
}

}  // namespace
}  // namespace vigil
