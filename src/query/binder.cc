#include "query/binder.h"

#include <re2/re2.h>

#include <limits>
#include <string>

#include "core/batch.h"
#include "core/timestamp.h"
#include "query/aggregates.h"
#include "query/arith.h"
#include "query/compare.h"
#include "query/functions.h"

namespace vigil::query {
namespace {

Status BindNode(ExprPtr* e);

Status BindChildren(Expr& e) {
  for (ExprPtr& a : e.args) RETURN_IF_ERROR(BindNode(&a));
  return Status::OK();
}

Status BindCall(Expr& e) {
  const FunctionDef* f = FindFunction(e.name);
  if (f == nullptr) {
    if (FindAggregate(e.name) != nullptr) {
      return ErrorAt(e.pos, "aggregate function '" + e.name + "' can only be used in 'stats'");
    }
    if (IsPlannedFunction(e.name)) {
      return ErrorAt(e.pos, "function '" + e.name + "' is not supported");
    }
    return ErrorAt(e.pos, "unknown function '" + e.name + "'");
  }
  if (e.args.size() < f->min_args || e.args.size() > f->max_args) {
    std::string n = std::to_string(f->min_args);
    if (f->max_args != f->min_args) n += " to " + std::to_string(f->max_args);
    return ErrorAt(e.pos, e.name + "() takes " + n + " argument" + (f->max_args == 1 ? "" : "s") +
                              ", found " + std::to_string(e.args.size()));
  }
  if (f->field_args) {
    for (const ExprPtr& a : e.args)
      if (!a->IsField()) return ErrorAt(a->pos, e.name + "() expects a field name");
  }
  RETURN_IF_ERROR(BindChildren(e));
  return f->check != nullptr ? f->check(e) : Status::OK();
}

void FoldToLiteral(Expr& e, Value v) {
  e.kind = ExprKind::kLiteral;
  e.op = ExprOp::kNone;
  e.literal = std::move(v);
  e.args.clear();
}

// Arithmetic on strings is an error when it is certain (a string literal operand);
// arithmetic on literals folds.
Status BindArithmetic(Expr& e) {
  RETURN_IF_ERROR(BindChildren(e));
  for (const ExprPtr& a : e.args) {
    if (a->IsLiteral() && a->literal.type() == Type::kString) {
      return ErrorAt(e.pos, std::string("arithmetic ('") + OpText(e.op) + "') needs numbers, found " +
                                LiteralToString(a->literal));
    }
  }
  for (const ExprPtr& a : e.args)
    if (!a->IsLiteral()) return Status::OK();
  const Value& rhs = e.args.size() > 1 ? e.args[1]->literal : Value();
  Value folded = ArithValues(e.op, e.args[0]->literal, rhs);
  // A null result (1 / 0) stays unfolded: it never matches, unlike a `null` literal.
  if (!folded.is_null()) FoldToLiteral(e, std::move(folded));
  return Status::OK();
}

Status CompileRegex(Expr& e, const std::string& pattern, SourcePos pos) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    return ErrorAt(pos, "invalid regular expression /" + pattern + "/: " + re->error());
  }
  e.regex = std::move(re);
  return Status::OK();
}

// `x like "sub"` (substring), `x like /re/`, `x =~ /re/` (a string pattern is a regex).
Status BindMatch(Expr& e) {
  RETURN_IF_ERROR(BindNode(&e.args[0]));
  Expr& pattern = *e.args[1];
  if (pattern.kind == ExprKind::kRegex) return CompileRegex(pattern, pattern.name, pattern.pos);
  if (!pattern.IsLiteral() || pattern.literal.type() != Type::kString) {
    return ErrorAt(pattern.pos, "expected a string or /regex/ pattern");
  }
  if (e.op == ExprOp::kMatch) {
    return CompileRegex(pattern, std::get<std::string>(pattern.literal.v), pattern.pos);
  }
  return Status::OK();
}

Status BindTimeLiteral(Expr& lit);

// `x in [literals]`.
Status BindIn(Expr& e) {
  RETURN_IF_ERROR(BindNode(&e.args[0]));
  const bool time = e.args[0]->IsField() && IsTimeField(e.args[0]->name);
  for (ExprPtr& item : e.args[1]->args) {
    RETURN_IF_ERROR(BindNode(&item));
    if (!item->IsLiteral() || item->literal.is_null()) {
      return ErrorAt(item->pos, "expected a number, string or boolean in the 'in' list");
    }
    if (time) RETURN_IF_ERROR(BindTimeLiteral(*item));
  }
  return Status::OK();
}

// A literal compared with a time field, converted to Int ns the way ingest reads
// timestamps (core/timestamp.h): text as ISO 8601, numbers as epoch seconds, ms, us or
// ns guessed from their magnitude.
Status BindTimeLiteral(Expr& lit) {
  switch (lit.literal.type()) {
    case Type::kString: {
      const std::string& s = std::get<std::string>(lit.literal.v);
      Result<int64_t> ns = ParseTimestampString(s);
      if (!ns.ok()) return ErrorAt(lit.pos, ns.status().message());
      lit.literal = Value(ns.value());
      return Status::OK();
    }
    case Type::kInt:
      lit.literal = Value(EpochNumberToNs(std::get<int64_t>(lit.literal.v)));
      break;
    case Type::kFloat:
      lit.literal = Value(EpochNumberToNs(std::get<double>(lit.literal.v)));
      break;
    default:
      break;
  }
  return Status::OK();
}

// `f = null` / `f != null` -> presence tests.
Status BindNullComparison(ExprPtr* e) {
  Expr& cmp = **e;
  if ((cmp.op != ExprOp::kEq && cmp.op != ExprOp::kNe) || !cmp.args[0]->IsField()) {
    return ErrorAt(cmp.pos, "null can only be compared with a field using = or !=");
  }
  std::vector<ExprPtr> args;
  args.push_back(std::move(cmp.args[0]));
  ExprPtr present = MakeCall("ispresent", std::move(args), cmp.pos);
  present->begin = cmp.begin;
  present->end = cmp.end;
  if (cmp.op == ExprOp::kNe) {
    *e = std::move(present);
  } else {
    size_t begin = cmp.begin, end = cmp.end;
    *e = MakeUnary(ExprOp::kNot, std::move(present), cmp.pos);
    (*e)->begin = begin;
    (*e)->end = end;
  }
  return Status::OK();
}

Status BindComparison(ExprPtr* e) {
  RETURN_IF_ERROR(BindChildren(**e));
  Expr& cmp = **e;
  if (cmp.args[0]->IsLiteral() && !cmp.args[1]->IsLiteral()) {
    std::swap(cmp.args[0], cmp.args[1]);
    cmp.op = FlipComparison(cmp.op);
  }
  Expr& lhs = *cmp.args[0];
  Expr& rhs = *cmp.args[1];
  if (rhs.IsLiteral() && rhs.literal.is_null()) return BindNullComparison(e);
  if (lhs.IsLiteral() && lhs.literal.is_null()) {
    return ErrorAt(cmp.pos, "null can only be compared with a field using = or !=");
  }
  if (lhs.IsField() && IsTimeField(lhs.name) && rhs.IsLiteral()) {
    RETURN_IF_ERROR(BindTimeLiteral(rhs));
  }
  if (lhs.IsLiteral() && rhs.IsLiteral()) {
    const bool v = CompareValues(cmp.op, lhs.literal, rhs.literal);
    cmp.kind = ExprKind::kLiteral;
    cmp.literal = Value(v);
    cmp.op = ExprOp::kNone;
    cmp.args.clear();
  }
  return Status::OK();
}

Status BindNode(ExprPtr* e) {
  Expr& x = **e;
  switch (x.kind) {
    case ExprKind::kLiteral:
    case ExprKind::kField:
      return Status::OK();
    case ExprKind::kRegex:
      return CompileRegex(x, x.name, x.pos);
    case ExprKind::kList:
      return ErrorAt(x.pos, "a [list] can only follow 'in'");
    case ExprKind::kCall:
      return BindCall(x);
    case ExprKind::kUnary:
      if (x.op == ExprOp::kNot) return BindChildren(x);
      return BindArithmetic(x);
    case ExprKind::kBinary:
      if (x.op == ExprOp::kAnd || x.op == ExprOp::kOr) return BindChildren(x);
      if (IsComparison(x.op)) return BindComparison(e);
      if (x.op == ExprOp::kIn) return BindIn(x);
      if (x.op == ExprOp::kLike || x.op == ExprOp::kMatch) return BindMatch(x);
      return BindArithmetic(x);
  }
  return Status::OK();
}

// A condition's leaves must be able to be true: a number or string literal cannot.
Status CheckCondition(const Expr& e) {
  if ((e.kind == ExprKind::kBinary && (e.op == ExprOp::kAnd || e.op == ExprOp::kOr)) ||
      (e.kind == ExprKind::kUnary && e.op == ExprOp::kNot)) {
    for (const ExprPtr& a : e.args) RETURN_IF_ERROR(CheckCondition(*a));
    return Status::OK();
  }
  if (e.IsLiteral() && e.literal.type() != Type::kBool) {
    return ErrorAt(e.pos,
                   "expected a condition (a comparison, ispresent(), true or false), "
                   "found " +
                       LiteralToString(e.literal));
  }
  return Status::OK();
}

}  // namespace

bool IsTimeField(std::string_view name) {
  return name == field::kTimestamp || name == field::kIngested;
}

Status BindExpr(ExprRole role, ExprPtr* e) {
  if (role == ExprRole::kCondition) RETURN_IF_ERROR(CheckCondition(**e));
  return BindNode(e);
}

}  // namespace vigil::query
