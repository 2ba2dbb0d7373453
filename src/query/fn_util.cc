#include "query/fn_util.h"

#include <cmath>

#include "core/json_render.h"

namespace vigil::query {

Column* ValueSink::Make(Type t) { return cols_[static_cast<size_t>(t)] = ev_.NewColumn(t); }

void ValueSink::PutString(uint32_t row, std::string_view v) {
  Column* c = Get(Type::kString);
  for (; string_rows_ < row; ++string_rows_) c->strs.push_back({});
  c->strs.push_back(v);
  c->valid[row] = 1;
  string_rows_ = row + 1;
}

void ValueSink::Put(uint32_t row, const Cell& c) {
  switch (c.type) {
    case Type::kBool:
      return PutBool(row, c.i != 0);
    case Type::kInt:
      return PutInt(row, c.i);
    case Type::kFloat:
      return PutFloat(row, c.d);
    case Type::kString:
      return PutString(row, c.s);
    case Type::kNull:
      return;
  }
}

Vector ValueSink::Finish() {
  Vector v;
  for (Column* c : cols_) {
    if (c == nullptr) continue;
    if (c->type == Type::kString) {
      for (; string_rows_ < c->valid.size(); ++string_rows_) c->strs.push_back({});
    }
    v.columns.push_back(c);
  }
  return v;
}

std::vector<Vector> EvalArgs(Evaluator& ev, const Expr& call, const Sel& sel) {
  std::vector<Vector> out;
  out.reserve(call.args.size());
  for (const ExprPtr& a : call.args) out.push_back(ev.Eval(*a, sel));
  return out;
}

bool IsNumber(const Cell& c) {
  return c.type == Type::kInt || c.type == Type::kFloat || c.type == Type::kBool;
}

double AsDouble(const Cell& c) {
  return c.type == Type::kFloat ? c.d : static_cast<double>(c.i);
}

void AppendText(const Cell& c, std::string* out) {
  switch (c.type) {
    case Type::kBool:
      out->append(c.i != 0 ? "true" : "false");
      return;
    case Type::kInt:
      out->append(std::to_string(c.i));
      return;
    case Type::kFloat:
      AppendJsonDouble(c.d, out);
      return;
    case Type::kString:
      out->append(c.s);
      return;
    case Type::kNull:
      return;
  }
}

Status CheckDurationArg(const Expr& call, size_t i) {
  const Expr& a = *call.args[i];
  if (a.IsLiteral() && a.is_duration) return Status::OK();
  return ErrorAt(a.pos, call.name + "() expects a duration such as 5m or 1h");
}

Status CheckIntLiteralArg(const Expr& call, size_t i) {
  const Expr& a = *call.args[i];
  if (a.IsLiteral() && a.literal.type() == Type::kInt) return Status::OK();
  return ErrorAt(a.pos, call.name + "() expects an integer literal here");
}

}  // namespace vigil::query
