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

TEST(BinderTest, Errors) {
  EXPECT_EQ(BindError("x > null"),
            "line 1, column 10: null can only be compared with a field using = or !=");
  EXPECT_EQ(BindError("null = null"),
            "line 1, column 13: null can only be compared with a field using = or !=");
  EXPECT_EQ(BindError("foo(x)"), "line 1, column 8: unknown function 'foo'");
  EXPECT_EQ(BindError("strlen(x) > 3"), "line 1, column 8: function 'strlen' is not supported yet");
  EXPECT_EQ(BindError("ispresent(a, b)"),
            "line 1, column 8: ispresent() takes 1 argument, found 2");
  EXPECT_EQ(BindError("ispresent()"), "line 1, column 8: ispresent() takes 1 argument, found 0");
  EXPECT_EQ(BindError("ispresent('a')"), "line 1, column 18: ispresent() expects a field name");
  EXPECT_EQ(BindError("a + 1 > 2"), "line 1, column 10: arithmetic ('+') is not supported yet");
  EXPECT_EQ(BindError("-a > 2"), "line 1, column 8: arithmetic ('-') is not supported yet");
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
