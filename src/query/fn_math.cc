// Numeric functions. Arguments are numbers (Bool as 0/1); anything else gives null.
#include <cmath>
#include <limits>

#include "query/fn_kernels.h"
#include "query/fn_util.h"

namespace vigil::query {
namespace {

// A Float result that is a whole number in int64 range becomes an Int.
void PutWhole(uint32_t row, double v, ValueSink& out) {
  if (v >= -9.2e18 && v <= 9.2e18) return out.PutInt(row, static_cast<int64_t>(v));
  out.PutFloat(row, v);
}

template <typename F>
Vector MapNumber(Evaluator& ev, const Expr& call, const Sel& sel, F&& f) {
  return MapRows(ev, call, sel, [&](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    if (IsNumber(a[0])) f(row, a[0], out);
  });
}

// Rounds to nearest, halves away from zero; integers stay.
template <double (*Fn)(double)>
Vector Whole(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapNumber(ev, call, sel, [](uint32_t row, const Cell& x, ValueSink& out) {
    if (x.type != Type::kFloat) return out.PutInt(row, x.i);
    PutWhole(row, Fn(x.d), out);
  });
}

Vector Extreme(Evaluator& ev, const Expr& call, const Sel& sel, bool greatest) {
  return MapRows(ev, call, sel, [&](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    const Cell* best = nullptr;
    for (const Cell& c : a) {
      if (!IsNumber(c)) continue;
      const int cmp = best == nullptr ? 0 : CompareCells(c, *best);
      if (best == nullptr || (greatest ? cmp > 0 : cmp < 0)) best = &c;  // ties: the first
    }
    if (best != nullptr) out.Put(row, *best);
  });
}

}  // namespace

Vector FnAbs(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapNumber(ev, call, sel, [](uint32_t row, const Cell& x, ValueSink& out) {
    if (x.type == Type::kFloat) return out.PutFloat(row, std::fabs(x.d));
    if (x.i == std::numeric_limits<int64_t>::min()) return out.PutFloat(row, -static_cast<double>(x.i));
    out.PutInt(row, x.i < 0 ? -x.i : x.i);
  });
}

Vector FnCeil(Evaluator& ev, const Expr& call, const Sel& sel) {
  return Whole<static_cast<double (*)(double)>(std::ceil)>(ev, call, sel);
}
Vector FnFloor(Evaluator& ev, const Expr& call, const Sel& sel) {
  return Whole<static_cast<double (*)(double)>(std::floor)>(ev, call, sel);
}

// round(x): Int, halves away from zero. round(x, d): Float with d decimals.
Vector FnRound(Evaluator& ev, const Expr& call, const Sel& sel) {
  if (call.args.size() == 1) return Whole<static_cast<double (*)(double)>(std::round)>(ev, call, sel);
  const double scale = std::pow(10.0, static_cast<double>(std::get<int64_t>(call.args[1]->literal.v)));
  return MapNumber(ev, call, sel, [&](uint32_t row, const Cell& x, ValueSink& out) {
    out.PutFloat(row, std::round(AsDouble(x) * scale) / scale);
  });
}

Status CheckRound(Expr& call) {
  if (call.args.size() < 2) return Status::OK();
  RETURN_IF_ERROR(CheckIntLiteralArg(call, 1));
  const int64_t d = std::get<int64_t>(call.args[1]->literal.v);
  if (d < 0 || d > 15) return ErrorAt(call.args[1]->pos, "round() takes 0 to 15 decimals");
  return Status::OK();
}

Vector FnGreatest(Evaluator& ev, const Expr& call, const Sel& sel) {
  return Extreme(ev, call, sel, true);
}
Vector FnLeast(Evaluator& ev, const Expr& call, const Sel& sel) {
  return Extreme(ev, call, sel, false);
}

// Natural logarithm; null for x <= 0.
Vector FnLog(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapNumber(ev, call, sel, [](uint32_t row, const Cell& x, ValueSink& out) {
    if (AsDouble(x) > 0) out.PutFloat(row, std::log(AsDouble(x)));
  });
}

// Null for x < 0.
Vector FnSqrt(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapNumber(ev, call, sel, [](uint32_t row, const Cell& x, ValueSink& out) {
    if (AsDouble(x) >= 0) out.PutFloat(row, std::sqrt(AsDouble(x)));
  });
}

}  // namespace vigil::query
