#include "query/binder.h"

#include <limits>
#include <string>

#include "core/batch.h"
#include "core/timestamp.h"
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
    if (IsPlannedFunction(e.name)) {
      return ErrorAt(e.pos, "function '" + e.name + "' is not supported yet");
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
  return BindChildren(e);
}

Status BindNeg(ExprPtr* e) {
  Expr& arg = *(*e)->args[0];
  const Value& v = arg.literal;
  if (arg.IsLiteral() && v.type() == Type::kInt &&
      std::get<int64_t>(v.v) != std::numeric_limits<int64_t>::min()) {
    (*e)->literal = Value(-std::get<int64_t>(v.v));
  } else if (arg.IsLiteral() && v.type() == Type::kFloat) {
    (*e)->literal = Value(-std::get<double>(v.v));
  } else {
    return ErrorAt((*e)->pos, "arithmetic ('-') is not supported yet");
  }
  (*e)->kind = ExprKind::kLiteral;
  (*e)->op = ExprOp::kNone;
  (*e)->args.clear();
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
    case ExprKind::kCall:
      return BindCall(x);
    case ExprKind::kUnary:
      if (x.op == ExprOp::kNot) return BindChildren(x);
      RETURN_IF_ERROR(BindChildren(x));
      return BindNeg(e);
    case ExprKind::kBinary:
      if (x.op == ExprOp::kAnd || x.op == ExprOp::kOr) return BindChildren(x);
      if (IsComparison(x.op)) return BindComparison(e);
      return ErrorAt(x.pos,
                     std::string("arithmetic ('") + OpText(x.op) + "') is not supported yet");
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
