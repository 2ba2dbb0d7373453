#include "query/parser.h"

#include <gtest/gtest.h>

namespace vigil::query {
namespace {

QueryAst Parse(std::string_view text) {
  auto r = ParseQuery(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? std::move(r).value() : QueryAst{};
}

// The canonical form of the predicate of a one-command `filter` query.
std::string Filter(std::string_view condition) {
  QueryAst ast = Parse("filter " + std::string(condition));
  if (ast.commands.size() != 1 || !ast.commands[0].predicate) return "<no filter>";
  return ExprToString(*ast.commands[0].predicate);
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(Filter("a = 1 or b = 2 and c = 3"), "((a = 1) or ((b = 2) and (c = 3)))");
  EXPECT_EQ(Filter("a = 1 and b = 2 or c = 3"), "(((a = 1) and (b = 2)) or (c = 3))");
  EXPECT_EQ(Filter("not a = 1 and b = 2"), "((not (a = 1)) and (b = 2))");
  EXPECT_EQ(Filter("not not a"), "(not (not a))");
  EXPECT_EQ(Filter("(a = 1 or b = 2) and c = 3"), "(((a = 1) or (b = 2)) and (c = 3))");
  EXPECT_EQ(Filter("a = 1 or b = 2 or c = 3"), "(((a = 1) or (b = 2)) or (c = 3))");
  EXPECT_EQ(Filter("not (a = 1 or b = 2)"), "(not ((a = 1) or (b = 2)))");
}

TEST(ParserTest, Comparisons) {
  EXPECT_EQ(Filter("status >= 500"), "(status >= 500)");
  EXPECT_EQ(Filter("500 <= status"), "(500 <= status)");  // flipped by the binder, not here
  EXPECT_EQ(Filter("a != b"), "(a != b)");
  EXPECT_EQ(Filter("x < -5"), "(x < -5)");
  EXPECT_EQ(Filter("x > -1.5"), "(x > -1.5)");
  EXPECT_EQ(Filter("x = -9223372036854775808"), "(x = -9223372036854775808)");
  EXPECT_EQ(Filter("http.status = 502"), "(http.status = 502)");
  EXPECT_EQ(Filter("`my field` = 'v'"), "(`my field` = \"v\")");
  EXPECT_EQ(Filter("flag = TRUE and other = false"), "((flag = true) and (other = false))");
  EXPECT_EQ(Filter("x = null"), "(x = null)");
  EXPECT_EQ(Filter("ISPRESENT(x)"), "ispresent(x)");
  EXPECT_EQ(Filter("limit > 5"), "(`limit` > 5)");  // command words still work as names
  EXPECT_EQ(Filter("a + 1 * b > 2"), "((a + (1 * b)) > 2)");
  EXPECT_EQ(Filter("-x = 1"), "((-x) = 1)");
}

TEST(ParserTest, FieldsAndDisplay) {
  QueryAst ast = Parse("fields @timestamp, status = 500 as is_err, `a b` | display is_err, x");
  ASSERT_EQ(ast.commands.size(), 2u);
  const Command& fields = ast.commands[0];
  EXPECT_EQ(fields.kind, Command::Kind::kFields);
  ASSERT_EQ(fields.items.size(), 3u);
  EXPECT_EQ(fields.items[0].name, "@timestamp");
  EXPECT_EQ(fields.items[1].name, "is_err");
  EXPECT_EQ(ExprToString(*fields.items[1].expr), "(status = 500)");
  EXPECT_EQ(fields.items[2].name, "a b");
  EXPECT_EQ(ast.commands[1].kind, Command::Kind::kDisplay);
  EXPECT_EQ(ast.commands[1].items[1].name, "x");
}

TEST(ParserTest, UnaliasedExpressionIsNamedByItsText) {
  QueryAst ast = Parse("fields  status   >= 500 ,ispresent(x)");
  ASSERT_EQ(ast.commands[0].items.size(), 2u);
  EXPECT_EQ(ast.commands[0].items[0].name, "status   >= 500");
  EXPECT_EQ(ast.commands[0].items[1].name, "ispresent(x)");
}

TEST(ParserTest, SortAndLimit) {
  QueryAst ast = Parse("sort a, b desc, c ASC | limit 20");
  ASSERT_EQ(ast.commands.size(), 2u);
  const auto& keys = ast.commands[0].keys;
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].name, "a");
  EXPECT_FALSE(keys[0].desc);  // ascending by default
  EXPECT_EQ(keys[1].name, "b");
  EXPECT_TRUE(keys[1].desc);
  EXPECT_FALSE(keys[2].desc);
  EXPECT_EQ(ast.commands[1].kind, Command::Kind::kLimit);
  EXPECT_EQ(ast.commands[1].limit, 20u);
}

TEST(ParserTest, PositionsOfNodes) {
  QueryAst ast = Parse("fields a\n| filter b >= 1");
  const Expr& cmp = *ast.commands[1].predicate;
  EXPECT_EQ(cmp.pos, (SourcePos{2, 12}));           // the operator
  EXPECT_EQ(cmp.args[0]->pos, (SourcePos{2, 10}));  // b
  EXPECT_EQ(cmp.args[1]->pos, (SourcePos{2, 15}));  // 1
}

TEST(ParserTest, MultiLineQueryWithComments) {
  QueryAst ast = Parse(
      "# recent errors\n"
      "fields @timestamp, @message   # what to show\n"
      "| filter level = 'ERROR'\n"
      "| sort @timestamp desc\n"
      "| limit 20\n");
  EXPECT_EQ(ast.commands.size(), 4u);
}

struct BadQuery {
  const char* query;
  const char* error;
};

void PrintTo(const BadQuery& b, std::ostream* os) { *os << b.query; }

class ParserErrorTest : public ::testing::TestWithParam<BadQuery> {};

TEST_P(ParserErrorTest, ReportsPositionAndExpectation) {
  auto r = ParseQuery(GetParam().query);
  ASSERT_FALSE(r.ok()) << GetParam().query;
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), GetParam().error) << GetParam().query;
}

INSTANTIATE_TEST_SUITE_P(
    Bad, ParserErrorTest,
    ::testing::Values(
        BadQuery{"filter status >=",
                 "line 1, column 16: expected a value after '>=', found end of query"},
        BadQuery{"",
                 "line 1, column 1: expected a command (dedup, display, fields, filter, limit, "
                 "parse, sort, source, stats), found end of query"},
        BadQuery{"   # nothing",
                 "line 1, column 1: expected a command (dedup, display, fields, filter, limit, "
                 "parse, sort, source, stats), found end of query"},
        BadQuery{"foo bar",
                 "line 1, column 1: unknown command 'foo'; expected one of: dedup, display, "
                 "fields, filter, limit, parse, sort, source, stats"},
        BadQuery{"fields a | pattern @message",
                 "line 1, column 12: command 'pattern' is not supported; supported: dedup, "
                 "display, fields, filter, limit, parse, sort, source, stats"},
        BadQuery{"stats count(*) by", "line 1, column 17: expected a field or expression to "
                                      "group by after 'by', found end of query"},
        BadQuery{"stats", "line 1, column 5: expected an aggregate such as count(*) after "
                          "'stats', found end of query"},
        BadQuery{"filter a in 1", "line 1, column 13: expected '[' after 'in', found '1'"},
        BadQuery{"filter a in [1 2]", "line 1, column 16: expected ',' or ']' to close the "
                                      "list at line 1, column 13, found '2'"},
        BadQuery{"filter a like 5", "line 1, column 15: expected a string or /regex/, found '5'"},
        BadQuery{"filter a =~ 5", "line 1, column 13: expected a /regex/ or string after '=~', "
                                  "found '5'"},
        BadQuery{"filter a like /abc", "line 1, column 15: unterminated regular expression: "
                                       "missing closing '/'"},
        BadQuery{"parse @message", "line 1, column 14: expected a \"glob * pattern\" or a "
                                   "/regex/ after the field, found end of query"},
        BadQuery{"parse @message 'a*b'", "line 1, column 20: expected 'as' and the names of "
                                         "the parsed fields, found end of query"},
        BadQuery{"fields a | source x", "line 1, column 12: 'source' must be the first "
                                        "command of a query"},
        BadQuery{"dedup", "line 1, column 5: expected a field name after 'dedup', found end "
                          "of query"},
        BadQuery{"filter bin(5x)", "line 1, column 12: invalid number '5x'"},
        BadQuery{"filter bin(1.5h)", "line 1, column 12: invalid duration '1.5h' (use a whole "
                                     "number with ms, s, m, h, d or w)"},
        BadQuery{"filter",
                 "line 1, column 6: expected a condition after 'filter', found end of "
                 "query"},
        BadQuery{"filter | limit 1",
                 "line 1, column 8: expected a condition after 'filter', "
                 "found '|'"},
        BadQuery{"fields",
                 "line 1, column 6: expected a field name or expression after "
                 "'fields', found end of query"},
        BadQuery{"fields a,",
                 "line 1, column 9: expected a field name or expression after ',', "
                 "found end of query"},
        BadQuery{"display a,,b",
                 "line 1, column 11: expected a field name or expression after "
                 "',', found ','"},
        BadQuery{"fields a as",
                 "line 1, column 11: expected a name after 'as', found end of "
                 "query"},
        BadQuery{"fields a as 5", "line 1, column 13: expected a name after 'as', found '5'"},
        BadQuery{"fields a b",
                 "line 1, column 10: expected ',', 'as', '|' or end of query, "
                 "found 'b'"},
        BadQuery{"sort",
                 "line 1, column 4: expected a field to sort by after 'sort', found end "
                 "of query"},
        BadQuery{"sort a up",
                 "line 1, column 8: expected 'asc', 'desc', ',', '|' or end of "
                 "query, found 'up'"},
        BadQuery{"limit",
                 "line 1, column 5: expected a positive integer after 'limit', found "
                 "end of query"},
        BadQuery{"limit 0",
                 "line 1, column 7: expected a positive integer after 'limit', found "
                 "'0'"},
        BadQuery{"limit -1",
                 "line 1, column 7: expected a positive integer after 'limit', "
                 "found '-'"},
        BadQuery{"limit 1.5",
                 "line 1, column 7: expected a positive integer after 'limit', "
                 "found '1.5'"},
        BadQuery{"limit 5 6", "line 1, column 9: expected '|' or end of query, found '6'"},
        BadQuery{"filter (a = 1",
                 "line 1, column 13: expected ')' to close '(' at line 1, column "
                 "8, found end of query"},
        BadQuery{"filter a = 1)",
                 "line 1, column 13: expected 'and', 'or', '|' or end of query, "
                 "found ')'"},
        BadQuery{"filter a = 1 limit 5",
                 "line 1, column 14: expected 'and', 'or', '|' or end of "
                 "query, found 'limit'"},
        BadQuery{"filter a = and b", "line 1, column 12: expected a value after '=', found 'and'"},
        BadQuery{"filter a < b < c",
                 "line 1, column 14: comparisons cannot be chained (join them "
                 "with 'and'), found '<'"},
        BadQuery{"filter a = 1 |",
                 "line 1, column 14: expected a command after '|', found end "
                 "of query"},
        BadQuery{"filter a = 1 || limit 2",
                 "line 1, column 15: expected a command after '|', "
                 "found '|'"},
        BadQuery{"| filter a = 1",
                 "line 1, column 1: expected a command (dedup, display, fields, "
                 "filter, limit, parse, sort, source, stats), found '|'"},
        BadQuery{"filter a = 99999999999999999999",
                 "line 1, column 12: number out of range: 99999999999999999999"},
        BadQuery{"filter a = \"abc", "line 1, column 12: unterminated string literal"},
        BadQuery{"filter f(a,",
                 "line 1, column 11: expected a function argument after ',', "
                 "found end of query"},
        BadQuery{"filter f(a b)",
                 "line 1, column 12: expected ',' or ')' to close '(' at line 1, "
                 "column 9, found 'b'"},
        BadQuery{"filter x = -",
                 "line 1, column 12: expected a value after '-', found end of "
                 "query"},
        BadQuery{"fields a\n| filter b >=\n| limit 3",
                 "line 3, column 1: expected a value after '>=', found '|'"},
        BadQuery{"filter not",
                 "line 1, column 10: expected a value after 'not', found end of "
                 "query"},
        BadQuery{"filter a = ()",
                 "line 1, column 13: expected an expression after '(', found ')'"}));

}  // namespace
}  // namespace vigil::query
