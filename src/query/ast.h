// Abstract syntax of a Logs Insights query: a pipeline of commands over expressions.
//
// The same Expr tree is used from parsing to execution: the parser builds it, the
// binder (binder.h) checks and normalizes it in place, and the evaluator
// (evaluator.h) runs the bound tree one column batch at a time. Front ends other than
// Logs Insights (SQL) are meant to produce these same nodes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/value.h"
#include "query/lexer.h"

namespace re2 {
class RE2;
}

namespace vigil::query {

enum class ExprKind {
  kLiteral,  // literal
  kField,    // name
  kUnary,    // op args[0]
  kBinary,   // args[0] op args[1]
  kCall,     // name(args...)
  kList,     // [args...] (the right side of `in`)
  kRegex,    // /pattern/: `name` holds the pattern; the binder compiles it into `regex`
};

enum class ExprOp {
  kNone,
  // comparisons (kBinary)
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  // logic
  kAnd,  // kBinary
  kOr,   // kBinary
  kNot,  // kUnary
  // string matching (kBinary): `a in [..]` (args[1] is a kList of literals),
  // `a like "sub"` / `a like /re/`, `a =~ /re/`; `not in` / `not like` wrap these in kNot
  kIn,
  kLike,
  kMatch,
  // arithmetic
  kNeg,  // kUnary
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
};

bool IsComparison(ExprOp op);
bool IsArithmetic(ExprOp op);  // + - * / % ^ and unary minus
// `a op b` == `b Flip(op) a` for comparisons (kLt <-> kGt, ...); other ops unchanged.
ExprOp FlipComparison(ExprOp op);
// The operator as written in a query ("=", "and", ...).
const char* OpText(ExprOp op);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  ExprOp op = ExprOp::kNone;
  Value literal;              // kLiteral (a null Value is the `null` literal)
  bool is_duration = false;   // kLiteral written as a duration (`5m`: Int ns)
  std::string name;           // kField: the field; kCall: the function (lower case)
  std::vector<ExprPtr> args;  // operands / call arguments
  SourcePos pos;              // where errors about this node point (operators: the operator)
  size_t begin = 0, end = 0;  // byte span of the whole expression in the query text
  int height = 1;             // 1 + the largest height of `args` (set by the Make* functions)
  // kRegex (and `like`/`=~` string patterns): compiled once by the binder, then shared
  // read-only by every batch and thread of the query (RE2 matching is thread-safe).
  std::shared_ptr<const re2::RE2> regex;

  bool IsField() const { return kind == ExprKind::kField; }
  bool IsLiteral() const { return kind == ExprKind::kLiteral; }
  bool IsFieldNamed(std::string_view n) const { return IsField() && name == n; }
};

// A node whose value is true/false: comparison, in/like/=~, and/or/not.
bool IsPredicate(const Expr& e);

ExprPtr MakeLiteral(Value v, SourcePos pos = {});
ExprPtr MakeField(std::string name, SourcePos pos = {});
ExprPtr MakeUnary(ExprOp op, ExprPtr arg, SourcePos pos = {});
ExprPtr MakeBinary(ExprOp op, ExprPtr lhs, ExprPtr rhs, SourcePos pos = {});
ExprPtr MakeCall(std::string name, std::vector<ExprPtr> args, SourcePos pos = {});
ExprPtr MakeList(std::vector<ExprPtr> items, SourcePos pos = {});
ExprPtr MakeRegex(std::string pattern, SourcePos pos = {});
ExprPtr CloneExpr(const Expr& e);

// Canonical text of an expression, fully parenthesized, for plans and tests:
// `(status >= 500)`, `("a" = `weird name`)`, `ispresent(x)`.
std::string ExprToString(const Expr& e);
// A field name as it must be written in a query (backticked when needed).
std::string QuoteName(std::string_view name);
// A literal as it would be written in a query.
std::string LiteralToString(const Value& v);

// The top-level `and` operands of `e` (`e` itself when it is not an `and`), in order.
void SplitConjuncts(const Expr& e, std::vector<const Expr*>* out);
// Appends the name of every field `e` references.
void CollectFields(const Expr& e, std::vector<std::string>* out);

// `fields`/`display` item: an expression and the column it produces.
struct SelectItem {
  ExprPtr expr;
  std::string name;  // the alias, or the expression's text as written
  SourcePos pos;
};

struct SortItem {
  ExprPtr expr;
  std::string name;   // the expression's text as written
  bool desc = false;  // `sort x` is ascending, as in Logs Insights
  SourcePos pos;
};

struct Command {
  enum class Kind { kFilter, kFields, kDisplay, kSort, kLimit, kStats, kParse, kDedup, kSource };
  Kind kind = Kind::kFilter;
  SourcePos pos;
  ExprPtr predicate;              // kFilter; kParse: the field parsed
  std::vector<SelectItem> items;  // kFields, kDisplay; kStats: aggregates; kDedup: fields
  std::vector<SelectItem> group;  // kStats: the `by` keys
  std::vector<SortItem> keys;     // kSort
  uint64_t limit = 0;             // kLimit
  // kParse: the pattern (a glob with `*` or a regex with named groups) and the names it
  // assigns (from `as`, or the regex's group names); kSource: `pattern` is the view name.
  std::string pattern;
  bool is_regex = false;
  SourcePos pattern_pos;
  std::vector<std::string> names;
};

struct QueryAst {
  std::vector<Command> commands;
  // False for front ends whose results are unordered without an explicit sort (SQL):
  // the planner then adds no default newest-first order.
  bool default_time_order = true;
};

}  // namespace vigil::query
