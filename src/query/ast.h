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

namespace vigil::query {

enum class ExprKind {
  kLiteral,  // literal
  kField,    // name
  kUnary,    // op args[0]
  kBinary,   // args[0] op args[1]
  kCall,     // name(args...)
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
  // arithmetic: parsed now, evaluated by a later issue (the binder rejects it)
  kNeg,  // kUnary
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
};

bool IsComparison(ExprOp op);
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
  std::string name;           // kField: the field; kCall: the function (lower case)
  std::vector<ExprPtr> args;  // operands / call arguments
  SourcePos pos;              // where errors about this node point (operators: the operator)
  size_t begin = 0, end = 0;  // byte span of the whole expression in the query text

  bool IsField() const { return kind == ExprKind::kField; }
  bool IsLiteral() const { return kind == ExprKind::kLiteral; }
  bool IsFieldNamed(std::string_view n) const { return IsField() && name == n; }
};

ExprPtr MakeLiteral(Value v, SourcePos pos = {});
ExprPtr MakeField(std::string name, SourcePos pos = {});
ExprPtr MakeUnary(ExprOp op, ExprPtr arg, SourcePos pos = {});
ExprPtr MakeBinary(ExprOp op, ExprPtr lhs, ExprPtr rhs, SourcePos pos = {});
ExprPtr MakeCall(std::string name, std::vector<ExprPtr> args, SourcePos pos = {});
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
  enum class Kind { kFilter, kFields, kDisplay, kSort, kLimit };
  Kind kind = Kind::kFilter;
  SourcePos pos;
  ExprPtr predicate;              // kFilter
  std::vector<SelectItem> items;  // kFields, kDisplay
  std::vector<SortItem> keys;     // kSort
  uint64_t limit = 0;             // kLimit
};

struct QueryAst {
  std::vector<Command> commands;
};

}  // namespace vigil::query
