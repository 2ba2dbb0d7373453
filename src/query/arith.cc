#include "query/arith.h"

#include <cmath>
#include <limits>

#include "query/kernels.h"

namespace vigil::query {
namespace {

// One result: null, Int or Float.
struct Num {
  enum Kind : uint8_t { kNull, kInt, kFloat } kind = kNull;
  int64_t i = 0;
  double d = 0;
  static Num Int(int64_t v) { return {kInt, v, 0}; }
  static Num Float(double v) { return std::isfinite(v) ? Num{kFloat, 0, v} : Num{}; }
};

template <ExprOp op>
Num ComputeFloat(double a, double b) {
  if constexpr (op == ExprOp::kAdd) return Num::Float(a + b);
  if constexpr (op == ExprOp::kSub) return Num::Float(a - b);
  if constexpr (op == ExprOp::kMul) return Num::Float(a * b);
  if constexpr (op == ExprOp::kDiv) return b == 0 ? Num{} : Num::Float(a / b);
  if constexpr (op == ExprOp::kMod) return b == 0 ? Num{} : Num::Float(std::fmod(a, b));
  if constexpr (op == ExprOp::kPow) return Num::Float(std::pow(a, b));
  return {};
}

template <ExprOp op, typename A, typename B>
Num Compute(A a, B b) {
  if constexpr (std::is_same_v<A, int64_t> && std::is_same_v<B, int64_t>) {
    int64_t out = 0;
    if constexpr (op == ExprOp::kAdd) {
      if (!__builtin_add_overflow(a, b, &out)) return Num::Int(out);
    } else if constexpr (op == ExprOp::kSub) {
      if (!__builtin_sub_overflow(a, b, &out)) return Num::Int(out);
    } else if constexpr (op == ExprOp::kMul) {
      if (!__builtin_mul_overflow(a, b, &out)) return Num::Int(out);
    } else if constexpr (op == ExprOp::kMod) {
      if (b == 0) return {};
      return Num::Int(b == -1 ? 0 : a % b);
    }
  }
  return ComputeFloat<op>(static_cast<double>(a), static_cast<double>(b));
}

// Collects results into an Int and a Float column, created on first use.
class Sink {
 public:
  explicit Sink(Evaluator& ev) : ev_(ev) {}
  void Put(uint32_t row, const Num& n) {
    if (n.kind == Num::kInt) {
      if (ints_ == nullptr) ints_ = ev_.NewColumn(Type::kInt);
      ints_->valid[row] = 1;
      ints_->ints[row] = n.i;
    } else if (n.kind == Num::kFloat) {
      if (floats_ == nullptr) floats_ = ev_.NewColumn(Type::kFloat);
      floats_->valid[row] = 1;
      floats_->floats[row] = n.d;
    }
  }
  Vector Finish() const {
    Vector v;
    if (ints_ != nullptr) v.columns.push_back(ints_);
    if (floats_ != nullptr) v.columns.push_back(floats_);
    return v;
  }

 private:
  Evaluator& ev_;
  Column* ints_ = nullptr;
  Column* floats_ = nullptr;
};

template <ExprOp op, typename L, typename R>
void Loop(const L& l, const R& r, const Sel& sel, Sink* out) {
  for (uint32_t row : sel) {
    if (l.ok(row) & r.ok(row)) out->Put(row, Compute<op>(l.get(row), r.get(row)));
  }
}

template <typename L, typename R>
void Dispatch(ExprOp op, const L& l, const R& r, const Sel& sel, Sink* out) {
  if constexpr (std::is_arithmetic_v<ValueOf<L>> && std::is_arithmetic_v<ValueOf<R>>) {
    switch (op) {
      case ExprOp::kAdd:
        return Loop<ExprOp::kAdd>(l, r, sel, out);
      case ExprOp::kSub:
        return Loop<ExprOp::kSub>(l, r, sel, out);
      case ExprOp::kMul:
        return Loop<ExprOp::kMul>(l, r, sel, out);
      case ExprOp::kDiv:
        return Loop<ExprOp::kDiv>(l, r, sel, out);
      case ExprOp::kMod:
        return Loop<ExprOp::kMod>(l, r, sel, out);
      case ExprOp::kPow:
        return Loop<ExprOp::kPow>(l, r, sel, out);
      default:
        return;
    }
  }
}

Value ToValue(const Num& n) {
  if (n.kind == Num::kInt) return Value(n.i);
  if (n.kind == Num::kFloat) return Value(n.d);
  return Value();
}

}  // namespace

Value ArithValues(ExprOp op, const Value& l, const Value& r) {
  if (op == ExprOp::kNeg) return ArithValues(ExprOp::kSub, Value(int64_t{0}), l);
  Num result;
  Visit(l, [&](const auto& a) {
    Visit(r, [&](const auto& b) {
      using A = ValueOf<std::decay_t<decltype(a)>>;
      using B = ValueOf<std::decay_t<decltype(b)>>;
      if constexpr (std::is_arithmetic_v<A> && std::is_arithmetic_v<B>) {
        switch (op) {
          case ExprOp::kAdd:
            result = Compute<ExprOp::kAdd>(a.v, b.v);
            break;
          case ExprOp::kSub:
            result = Compute<ExprOp::kSub>(a.v, b.v);
            break;
          case ExprOp::kMul:
            result = Compute<ExprOp::kMul>(a.v, b.v);
            break;
          case ExprOp::kDiv:
            result = Compute<ExprOp::kDiv>(a.v, b.v);
            break;
          case ExprOp::kMod:
            result = Compute<ExprOp::kMod>(a.v, b.v);
            break;
          case ExprOp::kPow:
            result = Compute<ExprOp::kPow>(a.v, b.v);
            break;
          default:
            break;
        }
      }
    });
  });
  return ToValue(result);
}

Vector EvalArithmetic(Evaluator& ev, ExprOp op, const Vector& l, const Vector& r, const Sel& sel) {
  if (l.is_scalar && r.is_scalar) return Vector::Scalar(ArithValues(op, l.scalar, r.scalar));
  Sink out(ev);
  for (size_t i = 0; i < OperandCount(l); ++i) {
    for (size_t j = 0; j < OperandCount(r); ++j) {
      VisitOperand(l, i, [&](const auto& a) {
        VisitOperand(r, j, [&](const auto& b) { Dispatch(op, a, b, sel, &out); });
      });
    }
  }
  return out.Finish();
}

Vector EvalNegate(Evaluator& ev, const Vector& v, const Sel& sel) {
  return EvalArithmetic(ev, ExprOp::kSub, Vector::Scalar(Value(int64_t{0})), v, sel);
}

}  // namespace vigil::query
