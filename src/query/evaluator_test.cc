#include "query/evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/json_render.h"
#include "core/timestamp.h"
#include "query/binder.h"
#include "query/parser.h"

namespace vigil::query {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

ExprPtr BoundCondition(std::string_view condition) {
  auto ast = ParseQuery("filter " + std::string(condition));
  EXPECT_TRUE(ast.ok()) << ast.status().ToString();
  if (!ast.ok()) return MakeLiteral(Value(false));
  ExprPtr e = std::move(ast->commands[0].predicate);
  Status s = BindExpr(ExprRole::kCondition, &e);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return e;
}

// The rows of `batch` where `condition` holds.
Sel Match(const Batch& batch, std::string_view condition) {
  Frame frame = Frame::Of(Batch(batch));
  ExprPtr e = BoundCondition(condition);
  Sel out;
  Evaluator(frame).Select(*e, frame.sel, &out);
  return out;
}

// Four rows, one column of each type; row 3 has none of them.
//   n (Int):    1        5         10     -
//   f (Float):  1.5      5.0       -2.0   -
//   s (String): "apple"  "banana"  ""     -
//   b (Bool):   true     false     true   -
Batch Typed() {
  BatchBuilder b;
  const int64_t n[] = {1, 5, 10};
  const double f[] = {1.5, 5.0, -2.0};
  const char* s[] = {"apple", "banana", ""};
  const bool bo[] = {true, false, true};
  for (int r = 0; r < 4; ++r) {
    b.BeginRow();
    b.AddInt("@timestamp", r);
    if (r < 3) {
      b.AddInt("n", n[r]);
      b.AddFloat("f", f[r]);
      b.AddString("s", s[r]);
      b.AddBool("b", bo[r]);
    }
    b.EndRow();
  }
  return b.Finish();
}

TEST(EvaluatorTest, IntColumn) {
  Batch t = Typed();
  EXPECT_THAT(Match(t, "n = 5"), ElementsAre(1));
  EXPECT_THAT(Match(t, "n != 5"), ElementsAre(0, 2));  // row 3 has no n: no match
  EXPECT_THAT(Match(t, "n < 5"), ElementsAre(0));
  EXPECT_THAT(Match(t, "n <= 5"), ElementsAre(0, 1));
  EXPECT_THAT(Match(t, "n > 5"), ElementsAre(2));
  EXPECT_THAT(Match(t, "n >= 5"), ElementsAre(1, 2));
  EXPECT_THAT(Match(t, "n > -1"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Match(t, "n = 5.0"), ElementsAre(1));  // int vs float compares numerically
  EXPECT_THAT(Match(t, "n < 5.5"), ElementsAre(0, 1));
  EXPECT_THAT(Match(t, "n != 5.5"), ElementsAre(0, 1, 2));
}

TEST(EvaluatorTest, FloatColumn) {
  Batch t = Typed();
  EXPECT_THAT(Match(t, "f = 5"), ElementsAre(1));
  EXPECT_THAT(Match(t, "f != 5"), ElementsAre(0, 2));
  EXPECT_THAT(Match(t, "f < 1.5"), ElementsAre(2));
  EXPECT_THAT(Match(t, "f <= 1.5"), ElementsAre(0, 2));
  EXPECT_THAT(Match(t, "f > 1"), ElementsAre(0, 1));
  EXPECT_THAT(Match(t, "f >= -2"), ElementsAre(0, 1, 2));
}

TEST(EvaluatorTest, StringColumn) {
  Batch t = Typed();
  EXPECT_THAT(Match(t, "s = 'banana'"), ElementsAre(1));
  EXPECT_THAT(Match(t, "s != \"banana\""), ElementsAre(0, 2));
  EXPECT_THAT(Match(t, "s = ''"), ElementsAre(2));
  EXPECT_THAT(Match(t, "s < 'b'"), ElementsAre(0, 2));  // bytewise: "" < "apple" < "b"
  EXPECT_THAT(Match(t, "s <= 'banana'"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Match(t, "s > 'apple'"), ElementsAre(1));
  EXPECT_THAT(Match(t, "s >= 'apple'"), ElementsAre(0, 1));
  EXPECT_THAT(Match(t, "s = 'Banana'"), IsEmpty());  // case-sensitive
}

TEST(EvaluatorTest, BoolColumn) {
  Batch t = Typed();
  EXPECT_THAT(Match(t, "b = true"), ElementsAre(0, 2));
  EXPECT_THAT(Match(t, "b = false"), ElementsAre(1));
  EXPECT_THAT(Match(t, "b != true"), ElementsAre(1));
  EXPECT_THAT(Match(t, "b = 1"), ElementsAre(0, 2));  // bools compare as 0/1
  EXPECT_THAT(Match(t, "b < 1"), ElementsAre(1));
  EXPECT_THAT(Match(t, "b >= 0"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Match(t, "b"), ElementsAre(0, 2));  // a bare Bool field is a condition
  EXPECT_THAT(Match(t, "not b"), ElementsAre(1, 3));
  EXPECT_THAT(Match(t, "n"), IsEmpty());  // only Bool true counts as true
}

TEST(EvaluatorTest, IncompatibleTypesNeverMatch) {
  Batch t = Typed();
  EXPECT_THAT(Match(t, "n = '5'"), IsEmpty());
  EXPECT_THAT(Match(t, "n != '5'"), IsEmpty());
  EXPECT_THAT(Match(t, "s = 5"), IsEmpty());
  EXPECT_THAT(Match(t, "s != 5"), IsEmpty());
  EXPECT_THAT(Match(t, "b = 'true'"), IsEmpty());
  EXPECT_THAT(Match(t, "n = s"), IsEmpty());
}

TEST(EvaluatorTest, MissingFields) {
  Batch t = Typed();
  EXPECT_THAT(Match(t, "nope = 1"), IsEmpty());
  EXPECT_THAT(Match(t, "nope != 1"), IsEmpty());
  EXPECT_THAT(Match(t, "nope != 'x'"), IsEmpty());
  EXPECT_THAT(Match(t, "nope < 1"), IsEmpty());
  EXPECT_THAT(Match(t, "not nope = 1"), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(Match(t, "not (n = 5)"), ElementsAre(0, 2, 3));  // unlike n != 5
  EXPECT_THAT(Match(t, "ispresent(n)"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Match(t, "not ispresent(n)"), ElementsAre(3));
  EXPECT_THAT(Match(t, "n = null"), ElementsAre(3));
  EXPECT_THAT(Match(t, "null != n"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Match(t, "ispresent(@message)"), ElementsAre(0, 1, 2, 3));
}

TEST(EvaluatorTest, FieldAgainstField) {
  Batch t = Typed();
  EXPECT_THAT(Match(t, "n = f"), ElementsAre(1));
  EXPECT_THAT(Match(t, "n < f"), ElementsAre(0));
  EXPECT_THAT(Match(t, "f < n"), ElementsAre(2));
  EXPECT_THAT(Match(t, "f <= n"), ElementsAre(1, 2));
  EXPECT_THAT(Match(t, "s = s"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Match(t, "s != s"), IsEmpty());
  EXPECT_THAT(Match(t, "b = n"), ElementsAre(0));  // true = 1
}

TEST(EvaluatorTest, AndOrNotPrecedence) {
  Batch t = Typed();
  EXPECT_THAT(Match(t, "n = 1 or n = 5 and s = 'apple'"), ElementsAre(0));
  EXPECT_THAT(Match(t, "(n = 1 or n = 5) and s = 'banana'"), ElementsAre(1));
  EXPECT_THAT(Match(t, "not n = 1 and ispresent(n)"), ElementsAre(1, 2));
  EXPECT_THAT(Match(t, "not (n = 1 and ispresent(n))"), ElementsAre(1, 2, 3));
  EXPECT_THAT(Match(t, "n = 10 or s = 'apple' or b = false"), ElementsAre(0, 1, 2));
  EXPECT_THAT(Match(t, "not not b"), ElementsAre(0, 2));
}

TEST(EvaluatorTest, ConstantConditions) {
  Batch t = Typed();
  EXPECT_THAT(Match(t, "true"), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(Match(t, "false"), IsEmpty());
  EXPECT_THAT(Match(t, "1 = 1"), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(Match(t, "1 = '1'"), IsEmpty());
  EXPECT_THAT(Match(t, "n = 1 or true"), ElementsAre(0, 1, 2, 3));
}

// `status` is an Int on some rows, a String on others, a Float on one.
Batch MixedStatus() {
  BatchBuilder b;
  auto row = [&](auto add) {
    b.BeginRow();
    b.AddInt("@timestamp", 0);
    add();
    b.EndRow();
  };
  row([&] { b.AddInt("status", 500); });
  row([&] { b.AddInt("status", 200); });
  row([&] { b.AddString("status", "failure"); });
  row([&] { b.AddString("status", "500"); });
  row([&] { b.AddFloat("status", 500.0); });
  row([] {});
  return b.Finish();
}

TEST(EvaluatorTest, MixedTypeField) {
  Batch t = MixedStatus();
  ASSERT_EQ(t.FindAll("status").size(), 3u);
  EXPECT_THAT(Match(t, "status = 500"), ElementsAre(0, 4));
  EXPECT_THAT(Match(t, "status = 'failure'"), ElementsAre(2));
  EXPECT_THAT(Match(t, "status = \"500\""), ElementsAre(3));
  EXPECT_THAT(Match(t, "status != 500"), ElementsAre(1));
  EXPECT_THAT(Match(t, "status != 'failure'"), ElementsAre(3));
  EXPECT_THAT(Match(t, "status >= 200"), ElementsAre(0, 1, 4));
  EXPECT_THAT(Match(t, "status > 'a'"), ElementsAre(2));
  EXPECT_THAT(Match(t, "status = 500 or status = 'failure'"), ElementsAre(0, 2, 4));
  EXPECT_THAT(Match(t, "ispresent(status)"), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(Match(t, "status = status"), ElementsAre(0, 1, 2, 3, 4));
}

TEST(EvaluatorTest, RowWithTwoTypesOfOneFieldMatchesOnce) {
  BatchBuilder b;
  b.BeginRow();
  b.AddInt("@timestamp", 0);
  b.AddInt("v", 3);
  b.AddFloat("v", 4.5);
  b.EndRow();
  Batch t = b.Finish();
  EXPECT_THAT(Match(t, "v > 0"), ElementsAre(0));
  EXPECT_THAT(Match(t, "v = 4.5"), ElementsAre(0));
  EXPECT_THAT(Match(t, "v != 3"), ElementsAre(0));  // 4.5 != 3
  EXPECT_THAT(Match(t, "v >= v"), ElementsAre(0));
}

TEST(EvaluatorTest, TimeLiterals) {
  BatchBuilder b;
  for (const char* iso :
       {"2024-05-01T11:59:59.999Z", "2024-05-01T12:00:00Z", "2024-05-02T00:00:00Z"}) {
    b.BeginRow();
    b.AddInt("@timestamp", ParseTimestampString(iso).value());
    b.EndRow();
  }
  Batch t = b.Finish();
  EXPECT_THAT(Match(t, "@timestamp >= '2024-05-01T12:00:00Z'"), ElementsAre(1, 2));
  EXPECT_THAT(Match(t, "@timestamp < '2024-05-01 14:00:00+02:00'"), ElementsAre(0));
  EXPECT_THAT(Match(t, "@timestamp = '2024-05-02'"), ElementsAre(2));
  EXPECT_THAT(Match(t, "@timestamp >= 1714564800000"), ElementsAre(1, 2));  // epoch ms
  EXPECT_THAT(Match(t, "@timestamp >= 1714564800"), ElementsAre(1, 2));     // epoch s
  EXPECT_THAT(Match(t, "'2024-05-01T12:00:00Z' > @timestamp"), ElementsAre(0));
}

TEST(EvaluatorTest, PredicateAsValue) {
  Frame frame = Frame::Of(Typed());
  ExprPtr e = BoundCondition("n >= 5");
  Evaluator ev(frame);
  Vector v = ev.Eval(*e, frame.sel);
  std::vector<Value> cells;
  for (uint32_t r : frame.sel) cells.push_back(VectorCell(v, r));
  EXPECT_THAT(cells, ElementsAre(Value(false), Value(true), Value(true), Value(false)));
}

TEST(EvaluatorTest, SelectHonorsInputSelection) {
  Frame frame = Frame::Of(Typed());
  ExprPtr e = BoundCondition("n >= 1 or s = ''");
  Sel out;
  Evaluator(frame).Select(*e, Sel{1, 2, 3}, &out);
  EXPECT_THAT(out, ElementsAre(1, 2));
}

TEST(EvaluatorTest, FieldPrefersComputedColumns) {
  Frame frame = Frame::Of(Typed());
  Column c;
  c.name = "n";
  c.type = Type::kString;
  for (int r = 0; r < 4; ++r) c.AppendString("x");
  frame.computed.columns.push_back(std::move(c));
  Sel out;
  Evaluator(frame).Select(*BoundCondition("n = 'x'"), frame.sel, &out);
  EXPECT_THAT(out, ElementsAre(0, 1, 2, 3));
}

TEST(EvaluatorTest, MessageIsStoredTextOrRenderedJson) {
  BatchBuilder b;
  b.BeginRow();
  b.AddInt("@timestamp", 1);
  b.AddString("@message", "plain text line");
  b.EndRow();
  b.BeginRow();
  b.AddInt("@timestamp", 2);
  b.AddInt("status", 500);
  b.AddString("path", "/x");
  b.EndRow();
  Frame frame = Frame::Of(b.Finish());
  Evaluator ev(frame);
  Vector v = ev.Field("@message", frame.sel);
  std::string json;
  RenderRowJson(frame.raw, 1, &json);
  EXPECT_EQ(VectorCell(v, 0), Value(std::string("plain text line")));
  EXPECT_EQ(VectorCell(v, 1), Value(json));
  EXPECT_NE(json.find("\"status\":500"), std::string::npos) << json;

  Vector only_plain = ev.Field("@message", Sel{0});  // no rendering needed: borrowed
  ASSERT_EQ(only_plain.columns.size(), 1u);
  EXPECT_EQ(only_plain.columns[0], frame.raw.Find("@message", Type::kString));
}

TEST(SelTest, SetOperations) {
  EXPECT_THAT(SelUnion({1, 3, 5}, {2, 3, 6}), ElementsAre(1, 2, 3, 5, 6));
  EXPECT_THAT(SelMinus({1, 2, 3, 5}, {2, 5}), ElementsAre(1, 3));
  EXPECT_THAT(SelAll(3), ElementsAre(0, 1, 2));
}

}  // namespace
}  // namespace vigil::query
