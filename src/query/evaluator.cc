#include "query/evaluator.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "core/json_render.h"
#include "query/arith.h"
#include "query/compare.h"
#include "query/functions.h"
#include "query/match.h"

namespace vigil::query {

Frame Frame::Of(Batch&& batch) {
  Frame f;
  f.sel = SelAll(batch.rows);
  f.computed.rows = batch.rows;
  f.raw = std::move(batch);
  return f;
}

Value VectorCell(const Vector& v, uint32_t row) {
  if (v.is_scalar) return v.scalar;
  for (const Column* c : v.columns)
    if (c->IsValid(row)) return CellValue(*c, row);
  return {};
}

Column* Evaluator::NewColumn(Type type) {
  Column& c = arena_.emplace_back();
  c.type = type;
  const size_t rows = frame_.rows();
  c.valid.assign(rows, 0);
  switch (type) {
    case Type::kBool:
    case Type::kInt:
      c.ints.assign(rows, 0);
      break;
    case Type::kFloat:
      c.floats.assign(rows, 0);
      break;
    case Type::kString:  // strings are appended in row order by the caller
    case Type::kNull:
      break;
  }
  return &c;
}

void Evaluator::Select(const Expr& e, const Sel& in, Sel* out) {
  out->clear();
  if (in.empty()) return;
  if (e.kind == ExprKind::kBinary && e.op == ExprOp::kAnd) {
    Sel left;
    Select(*e.args[0], in, &left);
    Select(*e.args[1], left, out);
    return;
  }
  if (e.kind == ExprKind::kBinary && e.op == ExprOp::kOr) {
    Sel left, right;
    Select(*e.args[0], in, &left);
    Select(*e.args[1], SelMinus(in, left), &right);
    *out = SelUnion(left, right);
    return;
  }
  if (e.kind == ExprKind::kUnary && e.op == ExprOp::kNot) {
    Sel inner;
    Select(*e.args[0], in, &inner);
    *out = SelMinus(in, inner);
    return;
  }
  if (e.kind == ExprKind::kBinary && IsComparison(e.op)) {
    Vector l = Eval(*e.args[0], in);
    Vector r = Eval(*e.args[1], in);
    CompareVectors(e.op, l, r, in, out);
    return;
  }
  if (e.kind == ExprKind::kBinary && e.op == ExprOp::kIn) {
    SelectIn(Eval(*e.args[0], in), *e.args[1], in, out);
    return;
  }
  if (e.kind == ExprKind::kBinary && (e.op == ExprOp::kLike || e.op == ExprOp::kMatch)) {
    const std::string* lit = PlainLiteral(*e.args[1]);
    if (lit != nullptr && e.args[0]->IsFieldNamed(field::kMessage) &&
        frame_.computed.FindAll(field::kMessage).empty() &&
        SelectMessageLiteral(frame_, *lit, in, out)) {
      return;
    }
    SelectMatch(Eval(*e.args[0], in), *e.args[1], in, out);
    return;
  }
  // Any other expression (a field, a literal, a call) holds where it is Bool true.
  Vector v = Eval(e, in);
  if (v.is_scalar) {
    if (v.scalar == Value(true)) *out = in;
    return;
  }
  for (const Column* c : v.columns) {
    if (c->type != Type::kBool) continue;
    Sel part;
    for (uint32_t row : in)
      if (c->valid[row] && c->ints[row] != 0) part.push_back(row);
    *out = out->empty() ? std::move(part) : SelUnion(*out, part);
  }
}

Vector Evaluator::Eval(const Expr& e, const Sel& sel) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return Vector::Scalar(e.literal);
    case ExprKind::kField:
      return Field(e.name, sel);
    case ExprKind::kCall: {
      const FunctionDef* f = FindFunction(e.name);
      return f != nullptr ? f->eval(*this, e, sel) : Vector::Scalar(Value());
    }
    case ExprKind::kUnary:
    case ExprKind::kBinary:
      if (IsPredicate(e)) return PredicateValue(e, sel);
      if (e.op == ExprOp::kNeg) return EvalNegate(*this, Eval(*e.args[0], sel), sel);
      return EvalArithmetic(*this, e.op, Eval(*e.args[0], sel), Eval(*e.args[1], sel), sel);
    case ExprKind::kList:
    case ExprKind::kRegex:
      break;  // only under `in` / `like` / `=~`
  }
  return Vector::Scalar(Value());
}

// A condition used as a value: true/false on every selected row (false where a side is
// missing, like in a filter).
Vector Evaluator::PredicateValue(const Expr& e, const Sel& sel) {
  Sel yes;
  Select(e, sel, &yes);
  Column* out = NewColumn(Type::kBool);
  for (uint32_t row : sel) out->valid[row] = 1;
  for (uint32_t row : yes) out->ints[row] = 1;
  Vector v;
  v.columns.push_back(out);
  return v;
}

Vector Evaluator::Field(std::string_view name, const Sel& sel) {
  Vector v;
  for (const Column& c : frame_.computed.columns)
    if (c.name == name) v.columns.push_back(&c);
  if (!v.columns.empty()) return v;
  for (const Column& c : frame_.raw.columns)
    if (c.name == name) v.columns.push_back(&c);
  // Rows without event columns (an aggregate's output) have no @message.
  if (name == field::kMessage && !frame_.raw.columns.empty()) return Message(v.columns, sel);
  return v;
}

// @message: the stored String value (plain-text lines), else the event rendered as JSON.
Vector Evaluator::Message(const std::vector<const Column*>& columns, const Sel& sel) {
  const Column* stored = nullptr;
  for (const Column* c : columns)
    if (c->type == Type::kString) stored = c;
  Vector v;
  if (stored != nullptr &&
      std::all_of(sel.begin(), sel.end(), [&](uint32_t r) { return stored->valid[r] != 0; })) {
    v.columns.push_back(stored);  // all plain-text lines: no copy
    return v;
  }
  Column* out = NewColumn(Type::kString);
  std::string json;
  size_t next = 0;  // index into sel
  for (uint32_t row = 0; row < frame_.rows(); ++row) {
    if (next == sel.size() || sel[next] != row) {
      out->strs.push_back({});
      continue;
    }
    ++next;
    out->valid[row] = 1;
    if (stored != nullptr && stored->valid[row]) {
      out->strs.push_back(stored->strs[row]);
      continue;
    }
    json.clear();
    RenderRowJson(frame_.raw, row, &json);
    out->strs.push_back(json);
  }
  v.columns.push_back(out);
  return v;
}

Sel SelUnion(const Sel& a, const Sel& b) {
  Sel out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Sel SelMinus(const Sel& all, const Sel& remove) {
  Sel out;
  out.reserve(all.size() - std::min(all.size(), remove.size()));
  std::set_difference(all.begin(), all.end(), remove.begin(), remove.end(),
                      std::back_inserter(out));
  return out;
}

Sel SelAll(size_t rows) {
  Sel out(rows);
  for (size_t i = 0; i < rows; ++i) out[i] = static_cast<uint32_t>(i);
  return out;
}

}  // namespace vigil::query
