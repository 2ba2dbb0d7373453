#include "query/expr_parser.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <utility>

namespace vigil::query {
namespace {

ExprOp ComparisonOp(TokenKind k) {
  switch (k) {
    case TokenKind::kEq:
      return ExprOp::kEq;
    case TokenKind::kNe:
      return ExprOp::kNe;
    case TokenKind::kLt:
      return ExprOp::kLt;
    case TokenKind::kLe:
      return ExprOp::kLe;
    case TokenKind::kGt:
      return ExprOp::kGt;
    case TokenKind::kGe:
      return ExprOp::kGe;
    default:
      return ExprOp::kNone;
  }
}

// Converts a number token; `negative` when a unary minus precedes it (so that
// -9223372036854775808 is representable).
Result<Value> NumberValue(const Token& t, bool negative) {
  const std::string& s = t.text;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (s.find_first_of(".eE") != std::string::npos) {
    double d = 0;
    auto [p, ec] = std::from_chars(first, last, d);
    if (ec != std::errc() || p != last) return ErrorAt(t.pos, "number out of range: " + s);
    return Value(negative ? -d : d);
  }
  uint64_t u = 0;
  auto [p, ec] = std::from_chars(first, last, u);
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if (ec != std::errc() || p != last || u > kMax + (negative ? 1 : 0)) {
    return ErrorAt(t.pos, "number out of range: " + std::string(negative ? "-" : "") + s);
  }
  if (negative)
    return Value(u == kMax + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(u));
  return Value(static_cast<int64_t>(u));
}

// SQL LIKE pattern (% any run, _ one character) as an anchored RE2 pattern.
std::string SqlLikeToRegex(std::string_view pattern) {
  std::string out = "(?s)^";
  for (char c : pattern) {
    if (c == '%') {
      out += ".*";
    } else if (c == '_') {
      out += ".";
    } else {
      if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out + "$";
}

// A chain (`a or b or ...`) grows its tree in a loop; refuse it before the tree gets
// deep enough for a recursive walk (or its destructor) to exhaust the stack.
Status CheckHeight(const Expr& e, SourcePos pos) {
  if (e.height <= kMaxExprHeight) return Status::OK();
  return ErrorAt(pos, "expression is too deeply nested or too long (more than " +
                          std::to_string(kMaxExprHeight) + " levels)");
}

}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool ExprParser::AtWord(std::string_view word) const {
  const Token& t = Cur();
  if (t.quoted || (t.kind != TokenKind::kIdent && t.kind != TokenKind::kKeyword)) return false;
  return Lower(t.text) == word;
}

const Token& ExprParser::Take() {
  const Token& t = tokens_[i_];
  prev_end_ = t.end;
  if (t.kind != TokenKind::kEnd) ++i_;
  return t;
}

Status ExprParser::Expected(std::string_view what) const {
  return ErrorAt(Cur().pos, "expected " + std::string(what) + ", found " + Describe(Cur()));
}

bool ExprParser::AtName() const {
  return At(TokenKind::kIdent) || (At(TokenKind::kKeyword) && IsCommandName(Cur().text));
}

std::string ExprParser::PrevDescription() const {
  return i_ == 0 ? "the start of the query" : Describe(tokens_[i_ - 1]);
}

bool ExprParser::AtValueStart() const {
  switch (Cur().kind) {
    case TokenKind::kNumber:
    case TokenKind::kDuration:
    case TokenKind::kString:
    case TokenKind::kIdent:
    case TokenKind::kLParen:
    case TokenKind::kMinus:
      return true;
    case TokenKind::kKeyword:
      return IsCommandName(Cur().text) || AtKeyword("true") || AtKeyword("false") ||
             AtKeyword("null") || AtKeyword("not");
    default:
      return false;
  }
}

// Every Parse* below records the byte span of what it parsed.
template <typename F>
Result<ExprPtr> ExprParser::Spanned(F&& parse) {
  const Token& start = Cur();
  if (depth_ >= kMaxParseDepth) return ErrorAt(start.pos, "expression is nested too deeply");
  ++depth_;
  Result<ExprPtr> r = parse();
  --depth_;
  if (!r.ok()) return r;
  ExprPtr e = std::move(r).value();
  if (e->height > kMaxExprHeight) {
    return ErrorAt(start.pos, "expression is too deeply nested or too long (more than " +
                                  std::to_string(kMaxExprHeight) + " levels)");
  }
  e->begin = start.begin;
  e->end = prev_end_;
  return e;
}

Result<ExprPtr> ExprParser::ParseOr() {
  return Spanned([&]() -> Result<ExprPtr> {
    ASSIGN_OR_RETURN(ExprPtr lhs, ParseAnd());
    while (AtKeyword("or")) {
      SourcePos pos = Take().pos;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseAnd());
      lhs = MakeBinary(ExprOp::kOr, std::move(lhs), std::move(rhs), pos);
      RETURN_IF_ERROR(CheckHeight(*lhs, pos));
    }
    return lhs;
  });
}

Result<ExprPtr> ExprParser::ParseAnd() {
  return Spanned([&]() -> Result<ExprPtr> {
    ASSIGN_OR_RETURN(ExprPtr lhs, ParseNot());
    while (AtKeyword("and")) {
      SourcePos pos = Take().pos;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseNot());
      lhs = MakeBinary(ExprOp::kAnd, std::move(lhs), std::move(rhs), pos);
      RETURN_IF_ERROR(CheckHeight(*lhs, pos));
    }
    return lhs;
  });
}

Result<ExprPtr> ExprParser::ParseNot() {
  return Spanned([&]() -> Result<ExprPtr> {
    if (!AtKeyword("not")) return ParseComparison();
    SourcePos pos = Take().pos;
    ASSIGN_OR_RETURN(ExprPtr arg, ParseNot());
    return MakeUnary(ExprOp::kNot, std::move(arg), pos);
  });
}

Result<ExprPtr> ExprParser::ParseComparison() {
  return Spanned([&]() -> Result<ExprPtr> {
    ASSIGN_OR_RETURN(ExprPtr lhs, ParseAdditive());
    ExprOp op = ComparisonOp(Cur().kind);
    if (op == ExprOp::kNone) return ParseMatchOp(std::move(lhs));
    SourcePos pos = Take().pos;
    ASSIGN_OR_RETURN(ExprPtr rhs, ParseAdditive());
    if (ComparisonOp(Cur().kind) != ExprOp::kNone) {
      return ErrorAt(Cur().pos, "comparisons cannot be chained (join them with 'and'), found " +
                                    Describe(Cur()));
    }
    return MakeBinary(op, std::move(lhs), std::move(rhs), pos);
  });
}

// `in`, `like`, `=~` and their `not` forms after a value; `lhs` alone otherwise.
Result<ExprPtr> ExprParser::ParseMatchOp(ExprPtr lhs) {
  if (dialect_ == Dialect::kSql) {
    ASSIGN_OR_RETURN(lhs, ParseSqlPostfix(std::move(lhs)));
  }
  const bool negated = AtKeyword("not") && Peek(1).kind == TokenKind::kKeyword &&
                       (Peek(1).text == "in" || Peek(1).text == "like");
  SourcePos not_pos = Cur().pos;
  if (negated) Take();
  ExprPtr out;
  if (AtKeyword("in")) {
    SourcePos pos = Take().pos;
    ASSIGN_OR_RETURN(ExprPtr list, ParseList());
    out = MakeBinary(ExprOp::kIn, std::move(lhs), std::move(list), pos);
  } else if (AtKeyword("like") || At(TokenKind::kMatch)) {
    const ExprOp op = At(TokenKind::kMatch) ? ExprOp::kMatch : ExprOp::kLike;
    SourcePos pos = Take().pos;
    ASSIGN_OR_RETURN(ExprPtr pattern, ParsePattern(op));
    out = MakeBinary(dialect_ == Dialect::kSql ? ExprOp::kMatch : op, std::move(lhs),
                     std::move(pattern), pos);
  } else {
    return lhs;
  }
  return negated ? MakeUnary(ExprOp::kNot, std::move(out), not_pos) : std::move(out);
}

// SQL: `x IS [NOT] NULL` and `x [NOT] BETWEEN a AND b`.
Result<ExprPtr> ExprParser::ParseSqlPostfix(ExprPtr lhs) {
  if (AtWord("is")) {
    SourcePos pos = Take().pos;
    const bool negated = AtKeyword("not");
    if (negated) Take();
    if (!AtKeyword("null")) return Expected("NULL after IS");
    Take();
    ExprPtr null = MakeLiteral(Value(), pos);
    return MakeBinary(negated ? ExprOp::kNe : ExprOp::kEq, std::move(lhs), std::move(null), pos);
  }
  const bool negated = AtKeyword("not") && Peek(1).kind != TokenKind::kEnd &&
                       Lower(Peek(1).text) == "between" && !Peek(1).quoted;
  if (!negated && !AtWord("between")) return lhs;
  SourcePos pos = Cur().pos;
  if (negated) Take();
  Take();
  ASSIGN_OR_RETURN(ExprPtr lo, ParseAdditive());
  if (!AtKeyword("and")) return Expected("AND in BETWEEN");
  Take();
  ASSIGN_OR_RETURN(ExprPtr hi, ParseAdditive());
  ExprPtr copy = CloneExpr(*lhs);
  ExprPtr both = MakeBinary(ExprOp::kAnd, MakeBinary(ExprOp::kGe, std::move(lhs), std::move(lo), pos),
                            MakeBinary(ExprOp::kLe, std::move(copy), std::move(hi), pos), pos);
  return negated ? MakeUnary(ExprOp::kNot, std::move(both), pos) : std::move(both);
}

Result<ExprPtr> ExprParser::ParseList() {
  const bool sql = dialect_ == Dialect::kSql;
  const TokenKind open = sql ? TokenKind::kLParen : TokenKind::kLBracket;
  const TokenKind close = sql ? TokenKind::kRParen : TokenKind::kRBracket;
  if (!At(open)) return Expected(sql ? "'(' after IN" : "'[' after 'in'");
  const Token& start = Take();
  std::vector<ExprPtr> items;
  while (!At(close)) {
    if (!items.empty()) {
      if (!At(TokenKind::kComma)) {
        return Expected(std::string("',' or '") + (sql ? ")" : "]") + "' to close the list at line " +
                        std::to_string(start.pos.line) + ", column " +
                        std::to_string(start.pos.column));
      }
      Take();
    }
    if (!AtValueStart()) return Expected("a value in the list");
    ASSIGN_OR_RETURN(ExprPtr item, ParseAdditive());
    items.push_back(std::move(item));
  }
  Take();
  return MakeList(std::move(items), start.pos);
}

Result<ExprPtr> ExprParser::ParsePattern(ExprOp op) {
  const Token& t = Cur();
  if (t.kind == TokenKind::kRegex && dialect_ == Dialect::kInsights) {
    return MakeRegex(Take().text, t.pos);
  }
  if (t.kind != TokenKind::kString) {
    return Expected(dialect_ == Dialect::kSql ? "a string pattern"
                                              : (op == ExprOp::kMatch ? "a /regex/ or string after '=~'"
                                                                      : "a string or /regex/"));
  }
  if (dialect_ == Dialect::kSql) return MakeRegex(SqlLikeToRegex(Take().text), t.pos);
  return MakeLiteral(Value(std::string(Take().text)), t.pos);
}

Result<ExprPtr> ExprParser::ParseAdditive() {
  return Spanned([&]() -> Result<ExprPtr> {
    ASSIGN_OR_RETURN(ExprPtr lhs, ParseTerm());
    while (At(TokenKind::kPlus) || At(TokenKind::kMinus)) {
      const ExprOp op = At(TokenKind::kPlus) ? ExprOp::kAdd : ExprOp::kSub;
      SourcePos pos = Take().pos;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseTerm());
      lhs = MakeBinary(op, std::move(lhs), std::move(rhs), pos);
      RETURN_IF_ERROR(CheckHeight(*lhs, pos));
    }
    return lhs;
  });
}

Result<ExprPtr> ExprParser::ParseTerm() {
  return Spanned([&]() -> Result<ExprPtr> {
    ASSIGN_OR_RETURN(ExprPtr lhs, ParseUnary());
    for (;;) {
      ExprOp op = At(TokenKind::kStar)      ? ExprOp::kMul
                  : At(TokenKind::kSlash)   ? ExprOp::kDiv
                  : At(TokenKind::kPercent) ? ExprOp::kMod
                                            : ExprOp::kNone;
      if (op == ExprOp::kNone) return lhs;
      SourcePos pos = Take().pos;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseUnary());
      lhs = MakeBinary(op, std::move(lhs), std::move(rhs), pos);
      RETURN_IF_ERROR(CheckHeight(*lhs, pos));
    }
  });
}

Result<ExprPtr> ExprParser::ParseUnary() {
  return Spanned([&]() -> Result<ExprPtr> {
    if (!At(TokenKind::kMinus)) return ParsePower();
    const Token& minus = Take();
    if (At(TokenKind::kNumber) && Peek(1).kind != TokenKind::kCaret) {
      ASSIGN_OR_RETURN(Value v, NumberValue(Take(), /*negative=*/true));  // folded right away
      return MakeLiteral(std::move(v), minus.pos);
    }
    ASSIGN_OR_RETURN(ExprPtr arg, ParseUnaryAfter(minus));
    return MakeUnary(ExprOp::kNeg, std::move(arg), minus.pos);
  });
}

Result<ExprPtr> ExprParser::ParseUnaryAfter(const Token& op) {
  if (AtValueStart()) return ParseUnary();
  return Expected("a value after " + Describe(op));
}

Result<ExprPtr> ExprParser::ParsePower() {
  return Spanned([&]() -> Result<ExprPtr> {
    ASSIGN_OR_RETURN(ExprPtr lhs, ParsePrimary());
    if (!At(TokenKind::kCaret)) return lhs;
    const Token& caret = Take();
    ASSIGN_OR_RETURN(ExprPtr rhs, ParseUnaryAfter(caret));
    return MakeBinary(ExprOp::kPow, std::move(lhs), std::move(rhs), caret.pos);
  });
}

Result<ExprPtr> ExprParser::ParsePrimary() {
  return Spanned([&]() -> Result<ExprPtr> {
    const Token& t = Cur();
    switch (t.kind) {
      case TokenKind::kNumber: {
        ASSIGN_OR_RETURN(Value v, NumberValue(Take(), false));
        return MakeLiteral(std::move(v), t.pos);
      }
      case TokenKind::kDuration: {
        ASSIGN_OR_RETURN(int64_t ns, DurationNanos(t.text, t.pos));
        Take();
        ExprPtr lit = MakeLiteral(Value(ns), t.pos);
        lit->is_duration = true;
        return lit;
      }
      case TokenKind::kString:
        return MakeLiteral(Value(std::string(Take().text)), t.pos);
      case TokenKind::kLParen:
        return ParseParenthesized();
      default:
        break;
    }
    if (AtKeyword("true") || AtKeyword("false")) {
      return MakeLiteral(Value(Take().text == "true"), t.pos);
    }
    if (AtKeyword("null")) return MakeLiteral(Value(), Take().pos);
    if (AtName()) return ParseNameOrCall();
    return Expected("a value after " + PrevDescription());
  });
}

Result<ExprPtr> ExprParser::ParseParenthesized() {
  const Token& open = Take();
  if (At(TokenKind::kRParen)) return Expected("an expression after '('");
  ASSIGN_OR_RETURN(ExprPtr inner, ParseExpr());
  if (!At(TokenKind::kRParen)) {
    return Expected("')' to close '(' at line " + std::to_string(open.pos.line) + ", column " +
                    std::to_string(open.pos.column));
  }
  Take();
  return inner;
}

Result<ExprPtr> ExprParser::ParseNameOrCall() {
  const Token& name = Take();
  if (!At(TokenKind::kLParen) || name.quoted) return MakeField(name.text, name.pos);
  const Token& open = Take();
  std::string fn = Lower(name.text);
  if (dialect_ == Dialect::kSql && fn == "count" && AtWord("distinct")) {
    Take();
    fn = "count_distinct";
  }
  ASSIGN_OR_RETURN(std::vector<ExprPtr> args, ParseCallArgs(name, open));
  return MakeCall(std::move(fn), std::move(args), name.pos);
}

// After `name(`: the arguments and the closing ')'. `count(*)` has no arguments.
Result<std::vector<ExprPtr>> ExprParser::ParseCallArgs(const Token& name, const Token& open) {
  std::vector<ExprPtr> args;
  if (At(TokenKind::kStar) && Peek(1).kind == TokenKind::kRParen && Lower(name.text) == "count") {
    Take();
  } else if (!At(TokenKind::kRParen)) {
    for (;;) {
      if (!AtValueStart()) return Expected("a function argument after " + PrevDescription());
      ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
      args.push_back(std::move(a));
      if (!At(TokenKind::kComma)) break;
      Take();
    }
  }
  if (!At(TokenKind::kRParen)) {
    return Expected("',' or ')' to close '(' at line " + std::to_string(open.pos.line) +
                    ", column " + std::to_string(open.pos.column));
  }
  Take();
  return args;
}

}  // namespace vigil::query
