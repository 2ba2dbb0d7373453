// Helpers for function kernels (functions.cc, fn_*.cc): a sink that assembles result
// columns of any type row by row, and row loops over a function's arguments. Internal
// to the query module.
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/agg_util.h"
#include "query/ast.h"
#include "query/evaluator.h"

namespace vigil::query {

// Builds a Vector from values put in ascending row order; columns are created per
// type on first use (a string column is padded as it goes, since strings are appended).
class ValueSink {
 public:
  explicit ValueSink(Evaluator& ev) : ev_(ev) {}
  void Put(uint32_t row, const Cell& c);
  // Inline: the per-row calls of the hot functions (bin, arithmetic) stay in their loops.
  void PutInt(uint32_t row, int64_t v) {
    Column* c = Get(Type::kInt);
    c->valid[row] = 1;
    c->ints[row] = v;
  }
  void PutFloat(uint32_t row, double v) {  // non-finite -> null
    if (!std::isfinite(v)) return;
    Column* c = Get(Type::kFloat);
    c->valid[row] = 1;
    c->floats[row] = v;
  }
  void PutBool(uint32_t row, bool v) {
    Column* c = Get(Type::kBool);
    c->valid[row] = 1;
    c->ints[row] = v ? 1 : 0;
  }
  void PutString(uint32_t row, std::string_view v);
  Vector Finish();

 private:
  Column* Get(Type t) {
    Column* c = cols_[static_cast<size_t>(t)];
    return c != nullptr ? c : Make(t);
  }
  Column* Make(Type t);
  Evaluator& ev_;
  Column* cols_[5] = {};
  uint32_t string_rows_ = 0;  // rows appended to the string column so far
};

// Evaluates every argument of `call` on `sel`.
std::vector<Vector> EvalArgs(Evaluator& ev, const Expr& call, const Sel& sel);

// For each selected row: f(row, cells) with the arguments' values at that row
// (type kNull where missing), results going to `sink`.
template <typename F>
Vector MapRows(Evaluator& ev, const Expr& call, const Sel& sel, F&& f) {
  std::vector<Vector> args = EvalArgs(ev, call, sel);
  std::vector<Cell> cells(args.size());
  ValueSink sink(ev);
  for (uint32_t row : sel) {
    for (size_t i = 0; i < args.size(); ++i) cells[i] = CellAt(args[i], row);
    f(row, cells, sink);
  }
  return sink.Finish();
}

bool IsNumber(const Cell& c);
double AsDouble(const Cell& c);  // REQUIRES: IsNumber(c)
// Text of a value for concat: strings as they are, numbers as in results, bools as
// true/false.
void AppendText(const Cell& c, std::string* out);

// Bind-time checks shared by several functions.
Status CheckDurationArg(const Expr& call, size_t i);       // a literal duration (5m)
Status CheckIntLiteralArg(const Expr& call, size_t i);     // a literal integer

}  // namespace vigil::query
