// Expression parser shared by the front ends (parser.h: Logs Insights, sql_parser.h:
// SQL). It owns the token cursor; a front end derives from it and parses its commands
// or clauses with the same helpers, so both produce the same Expr nodes.
//
// Grammar (lowest precedence first):
//   expr       := and ('or' and)*
//   and        := not ('and' not)*
//   not        := 'not' not | comparison
//   comparison := additive [('=' | '!=' | '<' | '<=' | '>' | '>=') additive
//                          | ['not'] 'in' list | ['not'] 'like' pattern | '=~' pattern]
//               SQL also: additive 'is' ['not'] 'null' | additive ['not'] 'between' a 'and' b
//   additive   := term (('+' | '-') term)*
//   term       := unary (('*' | '/' | '%') unary)*
//   unary      := '-' unary | power
//   power      := primary ['^' unary]
//   primary    := NUMBER | DURATION | STRING | 'true' | 'false' | 'null' | name
//               | name '(' [expr (',' expr)* | '*'] ')' | '(' expr ')'
//   list       := '[' [expr (',' expr)*] ']'          (SQL: '(' ... ')')
//   pattern    := STRING | REGEX                        (SQL: STRING with % and _)
// Internal to the query module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/ast.h"
#include "query/lexer.h"

namespace vigil::query {

enum class Dialect { kInsights, kSql };

class ExprParser {
 public:
  ExprParser(std::string_view text, std::vector<Token> tokens, Dialect dialect)
      : text_(text), tokens_(std::move(tokens)), dialect_(dialect) {}

  Result<ExprPtr> ParseExpr() { return ParseOr(); }

 protected:
  const Token& Cur() const { return tokens_[i_]; }
  const Token& Peek(size_t ahead) const {
    return tokens_[std::min(i_ + ahead, tokens_.size() - 1)];
  }
  bool At(TokenKind k) const { return Cur().kind == k; }
  bool AtKeyword(std::string_view kw) const {
    return Cur().kind == TokenKind::kKeyword && Cur().text == kw;
  }
  // An unquoted name or keyword spelled `word` (any case): SQL's clause words.
  bool AtWord(std::string_view word) const;
  const Token& Take();
  std::string Describe(const Token& t) const { return DescribeToken(t, text_); }
  Status Expected(std::string_view what) const;
  // Text of the expression as written, for column names.
  std::string SourceText(const Expr& e) const {
    return std::string(text_.substr(e.begin, e.end - e.begin));
  }
  // A name: an identifier or a command word (command words double as field names).
  bool AtName() const;
  bool AtValueStart() const;
  std::string PrevDescription() const;
  std::string_view text() const { return text_; }
  Dialect dialect() const { return dialect_; }

 private:
  template <typename F>
  Result<ExprPtr> Spanned(F&& parse);
  Result<ExprPtr> ParseOr();
  Result<ExprPtr> ParseAnd();
  Result<ExprPtr> ParseNot();
  Result<ExprPtr> ParseComparison();
  Result<ExprPtr> ParseMatchOp(ExprPtr lhs);
  Result<ExprPtr> ParseSqlPostfix(ExprPtr lhs);
  Result<ExprPtr> ParseList();
  Result<ExprPtr> ParsePattern(ExprOp op);
  Result<ExprPtr> ParseAdditive();
  Result<ExprPtr> ParseTerm();
  Result<ExprPtr> ParseUnary();
  Result<ExprPtr> ParseUnaryAfter(const Token& op);
  Result<ExprPtr> ParsePower();
  Result<ExprPtr> ParsePrimary();
  Result<ExprPtr> ParseParenthesized();
  Result<ExprPtr> ParseNameOrCall();
  Result<std::vector<ExprPtr>> ParseCallArgs(const Token& name, const Token& open);

  std::string_view text_;
  std::vector<Token> tokens_;
  Dialect dialect_;
  size_t i_ = 0;
  size_t prev_end_ = 0;
  int depth_ = 0;  // parse functions active (recursion depth)
};

// Limits that keep hostile queries from exhausting the stack: the parser's recursion
// depth and the height of an expression tree (which later stages walk recursively).
inline constexpr int kMaxParseDepth = 1000;
inline constexpr int kMaxExprHeight = 500;

// Lower-case ASCII copy.
std::string Lower(std::string_view s);

}  // namespace vigil::query
