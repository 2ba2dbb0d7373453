// Time functions. Times are Int ns since the epoch; periods are duration literals.
#include "core/batch.h"
#include "query/fn_kernels.h"
#include "query/fn_util.h"

namespace vigil::query {
namespace {

int64_t FloorTo(int64_t t, int64_t period) {
  int64_t r = t % period;
  if (r < 0) r += period;
  return t - r;
}

// Applies `f(t, period)` to the Int values of argument `ts`, period = the duration
// literal argument `p`.
template <typename F>
Vector MapTime(Evaluator& ev, const Expr& call, const Sel& sel, Vector ts, size_t p, F&& f) {
  const int64_t period = std::get<int64_t>(call.args[p]->literal.v);
  ValueSink out(ev);
  for (const Column* c : ts.columns) {
    if (c->type != Type::kInt) continue;
    for (uint32_t row : sel)
      if (c->valid[row]) out.PutInt(row, f(c->ints[row], period));
  }
  if (ts.is_scalar && ts.scalar.type() == Type::kInt) {
    for (uint32_t row : sel) out.PutInt(row, f(std::get<int64_t>(ts.scalar.v), period));
  }
  return out.Finish();
}

// FloorTo remembering the last bin: over time-ordered rows most values fall in the bin
// of the row before, which then costs two compares instead of a division.
class BinFloor {
 public:
  int64_t operator()(int64_t t, int64_t period) {
    if (!has_ || t < lo_ || static_cast<uint64_t>(t) - static_cast<uint64_t>(lo_) >=
                                static_cast<uint64_t>(period)) {
      lo_ = FloorTo(t, period);
      has_ = true;
    }
    return lo_;
  }

 private:
  bool has_ = false;
  int64_t lo_ = 0;
};

int64_t Ceil(int64_t t, int64_t period) {
  const int64_t f = FloorTo(t, period);
  return f == t ? t : f + period;
}

}  // namespace

// bin(period): @timestamp rounded down to a multiple of period (epoch-aligned, UTC).
// bin(ts, period) is datefloor(ts, period).
Vector FnBin(Evaluator& ev, const Expr& call, const Sel& sel) {
  const bool one = call.args.size() == 1;
  Vector ts = one ? ev.Field(field::kTimestamp, sel) : ev.Eval(*call.args[0], sel);
  return MapTime(ev, call, sel, std::move(ts), one ? 0 : 1, BinFloor());
}

Vector FnDateFloor(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapTime(ev, call, sel, ev.Eval(*call.args[0], sel), 1, BinFloor());
}

Vector FnDateCeil(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapTime(ev, call, sel, ev.Eval(*call.args[0], sel), 1, &Ceil);
}

Status CheckBin(Expr& call) { return CheckDurationArg(call, call.args.size() - 1); }
Status CheckDatePeriod(Expr& call) { return CheckDurationArg(call, 1); }

// fromMillis(ms): a time from epoch milliseconds (Int or Float).
Vector FnFromMillis(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapRows(ev, call, sel, [](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    int64_t ns = 0;
    if (a[0].type == Type::kInt && !__builtin_mul_overflow(a[0].i, 1'000'000, &ns)) {
      out.PutInt(row, ns);
    } else if (a[0].type == Type::kFloat && a[0].d > -9.2e12 && a[0].d < 9.2e12) {
      out.PutInt(row, static_cast<int64_t>(a[0].d * 1e6));
    }
  });
}

// toMillis(t): epoch milliseconds of a time (rounded down).
Vector FnToMillis(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapRows(ev, call, sel, [](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    if (a[0].type == Type::kInt) out.PutInt(row, FloorTo(a[0].i, 1'000'000) / 1'000'000);
  });
}

}  // namespace vigil::query
