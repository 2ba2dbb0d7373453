#include "query/parser.h"

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <utility>

namespace vigil::query {
namespace {

constexpr std::string_view kCommandList = "display, fields, filter, limit, sort";

// Logs Insights commands a later issue adds; named so the error says "not supported
// yet" instead of "unknown".
bool IsFutureCommand(std::string_view lower) {
  for (std::string_view c :
       {"stats", "parse", "dedup", "pattern", "diff", "anomaly", "unnest", "source", "unmask"})
    if (c == lower) return true;
  return false;
}

bool IsCommandKeyword(const Token& t) {
  if (t.kind != TokenKind::kKeyword) return false;
  for (std::string_view c : {"filter", "fields", "display", "sort", "limit"})
    if (t.text == c) return true;
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

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

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  Result<QueryAst> Run() {
    QueryAst ast;
    for (;;) {
      ASSIGN_OR_RETURN(Command cmd, ParseCommand());
      ast.commands.push_back(std::move(cmd));
      if (At(TokenKind::kEnd)) return ast;
      if (!At(TokenKind::kPipe)) return Expected(after_command_);
      Take();
      if (At(TokenKind::kEnd) || At(TokenKind::kPipe)) return Expected("a command after '|'");
    }
  }

 private:
  const Token& Cur() const { return tokens_[i_]; }
  bool At(TokenKind k) const { return Cur().kind == k; }
  bool AtKeyword(std::string_view kw) const {
    return Cur().kind == TokenKind::kKeyword && Cur().text == kw;
  }
  const Token& Take() {
    const Token& t = tokens_[i_];
    prev_end_ = t.end;
    if (t.kind != TokenKind::kEnd) ++i_;
    return t;
  }
  std::string Describe(const Token& t) const { return DescribeToken(t, text_); }
  Status Expected(std::string_view what) const {
    return ErrorAt(Cur().pos, "expected " + std::string(what) + ", found " + Describe(Cur()));
  }
  // Text of the expression as written, for column names.
  std::string SourceText(const Expr& e) const {
    return std::string(text_.substr(e.begin, e.end - e.begin));
  }
  bool AtName() const { return At(TokenKind::kIdent) || IsCommandKeyword(Cur()); }

  Result<Command> ParseCommand() {
    const Token& t = Cur();
    Command cmd;
    cmd.pos = t.pos;
    if (t.kind == TokenKind::kIdent && !t.quoted) {
      std::string lower = Lower(t.text);
      if (IsFutureCommand(lower)) {
        return ErrorAt(t.pos, "command '" + lower + "' is not supported yet; supported: " +
                                  std::string(kCommandList));
      }
      return ErrorAt(
          t.pos, "unknown command '" + t.text + "'; expected one of: " + std::string(kCommandList));
    }
    if (!IsCommandKeyword(t)) return Expected("a command (" + std::string(kCommandList) + ")");
    const std::string name = Take().text;
    if (name == "filter") return ParseFilter(std::move(cmd));
    if (name == "fields" || name == "display") {
      cmd.kind = name == "fields" ? Command::Kind::kFields : Command::Kind::kDisplay;
      return ParseItems(std::move(cmd), name);
    }
    if (name == "sort") return ParseSort(std::move(cmd));
    return ParseLimit(std::move(cmd));
  }

  Result<Command> ParseFilter(Command cmd) {
    cmd.kind = Command::Kind::kFilter;
    if (At(TokenKind::kEnd) || At(TokenKind::kPipe)) return Expected("a condition after 'filter'");
    ASSIGN_OR_RETURN(cmd.predicate, ParseExpr());
    after_command_ = "'and', 'or', '|' or end of query";
    return cmd;
  }

  Result<Command> ParseItems(Command cmd, const std::string& keyword) {
    std::string after = "'" + keyword + "'";
    for (;;) {
      if (At(TokenKind::kEnd) || At(TokenKind::kPipe) || At(TokenKind::kComma)) {
        return Expected("a field name or expression after " + after);
      }
      SelectItem item;
      item.pos = Cur().pos;
      ASSIGN_OR_RETURN(item.expr, ParseExpr());
      item.name = item.expr->IsField() ? item.expr->name : SourceText(*item.expr);
      if (AtKeyword("as")) {
        Take();
        if (!AtName()) return Expected("a name after 'as'");
        item.name = Take().text;
      }
      cmd.items.push_back(std::move(item));
      if (!At(TokenKind::kComma)) break;
      Take();
      after = "','";
    }
    after_command_ = "',', 'as', '|' or end of query";
    return cmd;
  }

  Result<Command> ParseSort(Command cmd) {
    cmd.kind = Command::Kind::kSort;
    std::string after = "'sort'";
    for (;;) {
      if (At(TokenKind::kEnd) || At(TokenKind::kPipe) || At(TokenKind::kComma)) {
        return Expected("a field to sort by after " + after);
      }
      SortItem key;
      key.pos = Cur().pos;
      ASSIGN_OR_RETURN(key.expr, ParseExpr());
      key.name = key.expr->IsField() ? key.expr->name : SourceText(*key.expr);
      if (AtKeyword("asc") || AtKeyword("desc")) key.desc = Take().text == "desc";
      cmd.keys.push_back(std::move(key));
      if (!At(TokenKind::kComma)) break;
      Take();
      after = "','";
    }
    after_command_ = "'asc', 'desc', ',', '|' or end of query";
    return cmd;
  }

  Result<Command> ParseLimit(Command cmd) {
    cmd.kind = Command::Kind::kLimit;
    const Token& t = Cur();
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
    if (t.kind != TokenKind::kNumber || ec != std::errc() || p != t.text.data() + t.text.size() ||
        n == 0) {
      return Expected("a positive integer after 'limit'");
    }
    Take();
    cmd.limit = n;
    after_command_ = "'|' or end of query";
    return cmd;
  }

  // Every Parse* below records the byte span of what it parsed.
  template <typename F>
  Result<ExprPtr> Spanned(F&& parse) {
    size_t begin = Cur().begin;
    ASSIGN_OR_RETURN(ExprPtr e, parse());
    e->begin = begin;
    e->end = prev_end_;
    return e;
  }

  Result<ExprPtr> ParseExpr() { return ParseOr(); }

  Result<ExprPtr> ParseOr() {
    return Spanned([&]() -> Result<ExprPtr> {
      ASSIGN_OR_RETURN(ExprPtr lhs, ParseAnd());
      while (AtKeyword("or")) {
        SourcePos pos = Take().pos;
        ASSIGN_OR_RETURN(ExprPtr rhs, ParseAnd());
        lhs = MakeBinary(ExprOp::kOr, std::move(lhs), std::move(rhs), pos);
      }
      return lhs;
    });
  }

  Result<ExprPtr> ParseAnd() {
    return Spanned([&]() -> Result<ExprPtr> {
      ASSIGN_OR_RETURN(ExprPtr lhs, ParseNot());
      while (AtKeyword("and")) {
        SourcePos pos = Take().pos;
        ASSIGN_OR_RETURN(ExprPtr rhs, ParseNot());
        lhs = MakeBinary(ExprOp::kAnd, std::move(lhs), std::move(rhs), pos);
      }
      return lhs;
    });
  }

  Result<ExprPtr> ParseNot() {
    return Spanned([&]() -> Result<ExprPtr> {
      if (!AtKeyword("not")) return ParseComparison();
      SourcePos pos = Take().pos;
      ASSIGN_OR_RETURN(ExprPtr arg, ParseNot());
      return MakeUnary(ExprOp::kNot, std::move(arg), pos);
    });
  }

  Result<ExprPtr> ParseComparison() {
    return Spanned([&]() -> Result<ExprPtr> {
      ASSIGN_OR_RETURN(ExprPtr lhs, ParseAdditive());
      ExprOp op = ComparisonOp(Cur().kind);
      if (op == ExprOp::kNone) return lhs;
      SourcePos pos = Take().pos;
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseAdditive());
      if (ComparisonOp(Cur().kind) != ExprOp::kNone) {
        return ErrorAt(Cur().pos, "comparisons cannot be chained (join them with 'and'), found " +
                                      Describe(Cur()));
      }
      return MakeBinary(op, std::move(lhs), std::move(rhs), pos);
    });
  }

  template <typename Next>
  Result<ExprPtr> ParseBinaryLevel(Next next,
                                   std::initializer_list<std::pair<TokenKind, ExprOp>> ops) {
    return Spanned([&]() -> Result<ExprPtr> {
      ASSIGN_OR_RETURN(ExprPtr lhs, (this->*next)());
      for (;;) {
        ExprOp op = ExprOp::kNone;
        for (auto [k, o] : ops)
          if (At(k)) op = o;
        if (op == ExprOp::kNone) return lhs;
        SourcePos pos = Take().pos;
        ASSIGN_OR_RETURN(ExprPtr rhs, (this->*next)());
        lhs = MakeBinary(op, std::move(lhs), std::move(rhs), pos);
      }
    });
  }

  Result<ExprPtr> ParseAdditive() {
    return ParseBinaryLevel(&Parser::ParseTerm,
                            {{TokenKind::kPlus, ExprOp::kAdd}, {TokenKind::kMinus, ExprOp::kSub}});
  }

  Result<ExprPtr> ParseTerm() {
    return ParseBinaryLevel(&Parser::ParseUnary, {{TokenKind::kStar, ExprOp::kMul},
                                                  {TokenKind::kSlash, ExprOp::kDiv},
                                                  {TokenKind::kPercent, ExprOp::kMod}});
  }

  Result<ExprPtr> ParseUnary() {
    return Spanned([&]() -> Result<ExprPtr> {
      if (!At(TokenKind::kMinus)) return ParsePower();
      const Token& minus = Take();
      if (At(TokenKind::kNumber)) {  // a negative literal, folded right away
        ASSIGN_OR_RETURN(Value v, NumberValue(Take(), /*negative=*/true));
        return MakeLiteral(std::move(v), minus.pos);
      }
      ASSIGN_OR_RETURN(ExprPtr arg, ParseUnaryAfter(minus));
      return MakeUnary(ExprOp::kNeg, std::move(arg), minus.pos);
    });
  }

  Result<ExprPtr> ParseUnaryAfter(const Token& op) {
    if (AtValueStart()) return ParseUnary();
    return Expected("a value after " + Describe(op));
  }

  Result<ExprPtr> ParsePower() {
    return Spanned([&]() -> Result<ExprPtr> {
      ASSIGN_OR_RETURN(ExprPtr lhs, ParsePrimary());
      if (!At(TokenKind::kCaret)) return lhs;
      const Token& caret = Take();
      ASSIGN_OR_RETURN(ExprPtr rhs, ParseUnaryAfter(caret));
      return MakeBinary(ExprOp::kPow, std::move(lhs), std::move(rhs), caret.pos);
    });
  }

  bool AtValueStart() const {
    switch (Cur().kind) {
      case TokenKind::kNumber:
      case TokenKind::kString:
      case TokenKind::kIdent:
      case TokenKind::kLParen:
      case TokenKind::kMinus:
        return true;
      case TokenKind::kKeyword:
        return IsCommandKeyword(Cur()) || AtKeyword("true") || AtKeyword("false") ||
               AtKeyword("null") || AtKeyword("not");
      default:
        return false;
    }
  }

  Result<ExprPtr> ParsePrimary() {
    return Spanned([&]() -> Result<ExprPtr> {
      const Token& t = Cur();
      switch (t.kind) {
        case TokenKind::kNumber: {
          ASSIGN_OR_RETURN(Value v, NumberValue(Take(), false));
          return MakeLiteral(std::move(v), t.pos);
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

  std::string PrevDescription() const {
    return i_ == 0 ? "the start of the query" : Describe(tokens_[i_ - 1]);
  }

  Result<ExprPtr> ParseParenthesized() {
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

  Result<ExprPtr> ParseNameOrCall() {
    const Token& name = Take();
    if (!At(TokenKind::kLParen) || name.quoted) return MakeField(name.text, name.pos);
    const Token& open = Take();
    std::vector<ExprPtr> args;
    if (!At(TokenKind::kRParen)) {
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
    return MakeCall(Lower(name.text), std::move(args), name.pos);
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t i_ = 0;
  size_t prev_end_ = 0;
  std::string after_command_ = "'|' or end of query";
};

}  // namespace

Result<QueryAst> ParseQuery(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  return Parser(text, std::move(tokens)).Run();
}

}  // namespace vigil::query
