#include "query/binder.h"

#include <gtest/gtest.h>

#include "core/timestamp.h"
#include "query/parser.h"

namespace vigil::query {
namespace {

Result<std::string> Bind(std::string_view condition, ExprRole role = ExprRole::kCondition) {
  ASSIGN_OR_RETURN(QueryAst ast, ParseQuery("filter " + std::string(condition)));
  ExprPtr e = std::move(ast.commands[0].predicate);
  RETURN_IF_ERROR(BindExpr(role, &e));
  return ExprToString(*e);
}

std::string Bound(std::string_view condition) {
  auto r = Bind(condition);
  EXPECT_TRUE(r.ok()) << condition << ": " << r.status().ToString();
  return r.ok() ? r.value() : "";
}

std::string BindError(std::string_view condition, ExprRole role = ExprRole::kCondition) {
  auto r = Bind(condition, role);
  EXPECT_FALSE(r.ok()) << condition;
  return r.ok() ? "" : r.status().message();
}

TEST(BinderTest, LiteralMovesToTheRight) {
  EXPECT_EQ(Bound("500 <= status"), "(status >= 500)");
  EXPECT_EQ(Bound("500 < status"), "(status > 500)");
  EXPECT_EQ(Bound("'x' = a"), "(a = \"x\")");
  EXPECT_EQ(Bound("1 != a"), "(a != 1)");
  EXPECT_EQ(Bound("a > b"), "(a > b)");
}

TEST(BinderTest, LiteralComparisonsFold) {
  EXPECT_EQ(Bound("1 < 2"), "true");
  EXPECT_EQ(Bound("1 = 1.0"), "true");
  EXPECT_EQ(Bound("'a' = 1"), "false");
  EXPECT_EQ(Bound("a = 1 and 2 > 3"), "((a = 1) and false)");
}

TEST(BinderTest, NullBecomesPresence) {
  EXPECT_EQ(Bound("x = null"), "(not ispresent(x))");
  EXPECT_EQ(Bound("x != null"), "ispresent(x)");
  EXPECT_EQ(Bound("null = x"), "(not ispresent(x))");
}

TEST(BinderTest, TimeLiteralsBecomeNanoseconds) {
  const int64_t ns = ParseTimestampString("2024-05-01T12:00:00Z").value();
  EXPECT_EQ(Bound("@timestamp >= '2024-05-01T12:00:00Z'"),
            "(@timestamp >= " + std::to_string(ns) + ")");
  EXPECT_EQ(Bound("@timestamp < 1714564800000"), "(@timestamp < " + std::to_string(ns) + ")");
  EXPECT_EQ(Bound("'2024-05-01T12:00:00Z' < @ingested"),
            "(@ingested > " + std::to_string(ns) + ")");
  EXPECT_EQ(Bound("other = '2024-05-01T12:00:00Z'"), "(other = \"2024-05-01T12:00:00Z\")");
}

TEST(BinderTest, NegativeLiteralsFold) {
  EXPECT_EQ(Bound("x > -(5)"), "(x > -5)");
  EXPECT_EQ(Bound("x > -(2.5)"), "(x > -2.5)");
}

TEST(BinderTest, ArithmeticFolds) {
  EXPECT_EQ(Bound("x > 1 + 2 * 3"), "(x > 7)");
  EXPECT_EQ(Bound("x > 7 / 2"), "(x > 3.5)");
  EXPECT_EQ(Bound("x > 7 % 4 - 2 ^ 3"), "(x > -5)");
  EXPECT_EQ(Bound("x > -2 ^ 2"), "(x > -4)");
  EXPECT_EQ(Bound("x > 9223372036854775807 + 1"), "(x > 9.2233720368547758e+18)");
  EXPECT_EQ(Bound("-x > 2"), "((-x) > 2)");
  EXPECT_EQ(Bound("x > 1 / 0"), "(x > (1 / 0))");
  EXPECT_EQ(Bound("x + true > 1"), "((x + true) > 1)");
}

TEST(BinderTest, MatchOperators) {
  EXPECT_EQ(Bound("x in [1, 'a', -2]"), "(x in [1, \"a\", -2])");
  EXPECT_EQ(Bound("x not in [1]"), "(not (x in [1]))");
  EXPECT_EQ(Bound("x like 'ab'"), "(x like \"ab\")");
  EXPECT_EQ(Bound("x not like /a\\/b/"), "(not (x like /a\\/b/))");
  EXPECT_EQ(Bound("x =~ /(?i)err/"), "(x =~ /(?i)err/)");
  EXPECT_EQ(Bound("@timestamp in ['2024-05-01']"), "(@timestamp in [1714521600000000000])");
}

TEST(BinderTest, Errors) {
  EXPECT_EQ(BindError("x > null"),
            "line 1, column 10: null can only be compared with a field using = or !=");
  EXPECT_EQ(BindError("null = null"),
            "line 1, column 13: null can only be compared with a field using = or !=");
  EXPECT_EQ(BindError("foo(x)"), "line 1, column 8: unknown function 'foo'");
  EXPECT_EQ(BindError("jsonparse(x) > 3"),
            "line 1, column 8: function 'jsonparse' is not supported");
  EXPECT_EQ(BindError("count(x) > 3"),
            "line 1, column 8: aggregate function 'count' can only be used in 'stats'");
  EXPECT_EQ(BindError("ispresent(a, b)"),
            "line 1, column 8: ispresent() takes 1 argument, found 2");
  EXPECT_EQ(BindError("ispresent()"), "line 1, column 8: ispresent() takes 1 argument, found 0");
  EXPECT_EQ(BindError("ispresent('a')"), "line 1, column 18: ispresent() expects a field name");
  EXPECT_EQ(BindError("a + 'x' > 2"),
            "line 1, column 10: arithmetic ('+') needs numbers, found \"x\"");
  EXPECT_EQ(BindError("a like /x(/"),
            "line 1, column 15: invalid regular expression /x(/: missing ): x(");
  EXPECT_EQ(BindError("a =~ 'x['"),
            "line 1, column 13: invalid regular expression /x[/: missing ]: [");
  EXPECT_EQ(BindError("a in [b]"), "line 1, column 14: expected a number, string or boolean in "
                                   "the 'in' list");
  EXPECT_EQ(BindError("5"),
            "line 1, column 8: expected a condition (a comparison, ispresent(), true or false), "
            "found 5");
  EXPECT_EQ(BindError("a = 1 and 'x'"),
            "line 1, column 18: expected a condition (a comparison, ispresent(), true or false), "
            "found \"x\"");
  EXPECT_EQ(BindError("null"),
            "line 1, column 8: expected a condition (a comparison, ispresent(), true or false), "
            "found null");
  const std::string bad_time = BindError("@timestamp > 'yesterday'");
  EXPECT_EQ(bad_time.rfind("line 1, column 21: invalid timestamp \"yesterday\"", 0), 0u)
      << bad_time;
}

TEST(BinderTest, ValuesMayBeAnyLiteral) {
  QueryAst ast = ParseQuery("fields 'x' as k").value();
  EXPECT_TRUE(BindExpr(ExprRole::kValue, &ast.commands[0].items[0].expr).ok());
}

}  // namespace
}  // namespace vigil::query
