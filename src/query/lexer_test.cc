#include "query/lexer.h"

#include <gtest/gtest.h>

namespace vigil::query {
namespace {

std::vector<Token> Lex(std::string_view text) {
  auto r = Tokenize(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : std::vector<Token>{};
}

std::string LexError(std::string_view text) {
  auto r = Tokenize(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.status().message();
}

// "kind:text@line:col" per token, for compact expectations.
std::string Dump(std::string_view text) {
  std::string out;
  for (const Token& t : Lex(text)) {
    const char* kind = "?";
    switch (t.kind) {
      case TokenKind::kEnd:
        kind = "end";
        break;
      case TokenKind::kIdent:
        kind = "id";
        break;
      case TokenKind::kKeyword:
        kind = "kw";
        break;
      case TokenKind::kString:
        kind = "str";
        break;
      case TokenKind::kNumber:
        kind = "num";
        break;
      case TokenKind::kDuration:
        kind = "dur";
        break;
      case TokenKind::kRegex:
        kind = "re";
        break;
      default:
        kind = "op";
        break;
    }
    if (!out.empty()) out += " ";
    out += std::string(kind) + ":" + t.text + "@" + std::to_string(t.pos.line) + ":" +
           std::to_string(t.pos.column);
  }
  return out;
}

TEST(LexerTest, CommandAndComparison) {
  EXPECT_EQ(Dump("filter status >= 500"),
            "kw:filter@1:1 id:status@1:8 op:>=@1:15 num:500@1:18 end:@1:20");
}

TEST(LexerTest, AllOperators) {
  EXPECT_EQ(Dump("= != < <= > >= ( ) , | + - * / % ^ [ ]"),
            "op:=@1:1 op:!=@1:3 op:<@1:6 op:<=@1:8 op:>@1:11 op:>=@1:13 op:(@1:16 op:)@1:18 "
            "op:,@1:20 op:|@1:22 op:+@1:24 op:-@1:26 op:*@1:28 op:/@1:30 op:%@1:32 op:^@1:34 "
            "op:[@1:36 op:]@1:38 end:@1:38");
  EXPECT_EQ(Lex("a<=b")[1].kind, TokenKind::kLe);
  EXPECT_EQ(Lex("a!=b")[1].kind, TokenKind::kNe);
}

TEST(LexerTest, Names) {
  EXPECT_EQ(Dump("@timestamp http.status a.0.b _x @@key"),
            "id:@timestamp@1:1 id:http.status@1:12 id:a.0.b@1:24 id:_x@1:30 id:@@key@1:33 "
            "end:@1:37");
  EXPECT_EQ(Dump("`weird name-1` `a``b`"), "id:weird name-1@1:1 id:a`b@1:16 end:@1:21");
  EXPECT_TRUE(Lex("`and`")[0].quoted);
  EXPECT_EQ(Lex("`and`")[0].kind, TokenKind::kIdent);  // backticks make any word a name
}

TEST(LexerTest, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(Dump("FILTER Fields display SORT limit ASC desc AND Or NOT as TRUE false NULL"),
            "kw:filter@1:1 kw:fields@1:8 kw:display@1:15 kw:sort@1:23 kw:limit@1:28 "
            "kw:asc@1:34 kw:desc@1:38 kw:and@1:43 kw:or@1:47 kw:not@1:50 kw:as@1:54 "
            "kw:true@1:57 kw:false@1:62 kw:null@1:68 end:@1:71");
  EXPECT_EQ(Lex("Status")[0].text, "Status");  // names keep their case
}

TEST(LexerTest, Strings) {
  EXPECT_EQ(Lex(R"("a \"b\" \\ \n\t\r \/ \u00e9")")[0].text, "a \"b\" \\ \n\t\r / \xC3\xA9");
  EXPECT_EQ(Lex(R"('it''s')")[0].text, "it");  // two strings, not an escape
  EXPECT_EQ(Lex(R"('it\'s "q"')")[0].text, "it's \"q\"");
  EXPECT_EQ(Lex(R"("# not a comment")")[0].text, "# not a comment");
  EXPECT_EQ(Dump("\"\" 'x'"), "str:@1:1 str:x@1:4 end:@1:6");
}

TEST(LexerTest, Numbers) {
  EXPECT_EQ(Dump("0 42 1.5 .5 2e3 1.5E-2 -7"),
            "num:0@1:1 num:42@1:3 num:1.5@1:6 num:.5@1:10 num:2e3@1:13 num:1.5E-2@1:17 "
            "op:-@1:24 num:7@1:25 end:@1:25");
}

TEST(LexerTest, DurationsRegexesAndMatch) {
  EXPECT_EQ(Dump("bin(5m) 10s 250ms 2h 1d 1w"),
            "id:bin@1:1 op:(@1:4 dur:5m@1:5 op:)@1:7 dur:10s@1:9 dur:250ms@1:13 dur:2h@1:19 "
            "dur:1d@1:22 dur:1w@1:25 end:@1:26");
  EXPECT_EQ(Dump("a like /x\\/y/ | b =~ /(?i)z/"),
            "id:a@1:1 kw:like@1:3 re:x/y@1:8 op:|@1:15 id:b@1:17 op:=~@1:19 re:(?i)z@1:22 "
            "end:@1:28");
  EXPECT_EQ(Dump("parse @message /(?<x>\\d+)/"),
            "kw:parse@1:1 id:@message@1:7 re:(?<x>\\d+)@1:16 end:@1:26");
  EXPECT_EQ(Dump("a / b <> c"), "id:a@1:1 op:/@1:3 id:b@1:5 op:<>@1:7 id:c@1:10 end:@1:10");
  EXPECT_EQ(DurationNanos("5m", {}).value(), int64_t{300} * 1'000'000'000);
  EXPECT_EQ(DurationNanos("250ms", {}).value(), 250'000'000);
  EXPECT_FALSE(DurationNanos("99999999999999w", {}).ok());
}

TEST(LexerTest, CommentsAndLines) {
  EXPECT_EQ(Dump("# header\nfields a # trailing\n| limit 5 #"),
            "kw:fields@2:1 id:a@2:8 op:|@3:1 kw:limit@3:3 num:5@3:9 end:@3:9");
  EXPECT_EQ(Dump(""), "end:@1:1");
  EXPECT_EQ(Dump("  # only a comment"), "end:@1:1");
}

TEST(LexerTest, ColumnsCountCharactersNotBytes) {
  EXPECT_EQ(Dump("filter \"é\" = x"),
            "kw:filter@1:1 str:\xC3\xA9@1:8 op:=@1:12 id:x@1:14 end:@1:14");
}

TEST(LexerTest, ByteSpans) {
  std::vector<Token> t = Lex("fields `a b`, \"s\"");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[1].begin, 7u);
  EXPECT_EQ(t[1].end, 12u);
  EXPECT_EQ(t[3].begin, 14u);
  EXPECT_EQ(t[3].end, 17u);
}

TEST(LexerTest, Errors) {
  EXPECT_EQ(LexError("filter a = \"abc"), "line 1, column 12: unterminated string literal");
  EXPECT_EQ(LexError("filter a = 'x\\q'"),
            "line 1, column 14: unknown escape sequence '\\q' (use \\\\ \\\" \\' \\n \\t \\r or "
            "\\uXXXX)");
  EXPECT_EQ(LexError("filter a = \"\\u12\""),
            "line 1, column 13: invalid escape sequence: '\\u' needs 4 hex digits");
  EXPECT_EQ(LexError("fields `abc"), "line 1, column 8: unterminated name: missing closing '`'");
  EXPECT_EQ(LexError("fields ``"), "line 1, column 8: empty name in backticks");
  EXPECT_EQ(LexError("filter a ! 1"),
            "line 1, column 10: unexpected character '!' (use 'not' or '!=')");
  EXPECT_EQ(LexError("filter a = 5q"), "line 1, column 12: invalid number '5q'");
  EXPECT_EQ(LexError("filter a like /x"),
            "line 1, column 15: unterminated regular expression: missing closing '/'");
  EXPECT_EQ(LexError("fields a\n| filter b ~ 1"), "line 2, column 12: unexpected character '~'");
  EXPECT_EQ(LexError("fields a;"), "line 1, column 9: unexpected character ';'");
}

TEST(LexerTest, DescribeToken) {
  std::string text = "filter x = \"a very long string value that goes on\"";
  std::vector<Token> t = Lex(text);
  EXPECT_EQ(DescribeToken(t[2], text), "'='");
  EXPECT_EQ(DescribeToken(t[3], text), "'\"a very long string valu...'");
  EXPECT_EQ(DescribeToken(t[4], text), "end of query");
}

}  // namespace
}  // namespace vigil::query
