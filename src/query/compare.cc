#include "query/compare.h"

#include "query/kernels.h"

#include <string_view>
#include <type_traits>
#include <utility>

namespace vigil::query {
namespace {

template <typename A, typename B>
constexpr bool kCompatible = (std::is_arithmetic_v<ValueOf<A>> &&
                              std::is_arithmetic_v<ValueOf<B>>) ||
                             (std::is_same_v<ValueOf<A>, std::string_view> &&
                              std::is_same_v<ValueOf<B>, std::string_view>);

template <ExprOp op, typename A, typename B>
bool Test(A a, B b) {
  if constexpr (!std::is_same_v<A, B>) {
    // int64 vs double: compare as double (exact below 2^53).
    return Test<op>(static_cast<double>(a), static_cast<double>(b));
  } else {
    if constexpr (op == ExprOp::kEq) return a == b;
    if constexpr (op == ExprOp::kNe) return a != b;
    if constexpr (op == ExprOp::kLt) return a < b;
    if constexpr (op == ExprOp::kLe) return a <= b;
    if constexpr (op == ExprOp::kGt) return a > b;
    if constexpr (op == ExprOp::kGe) return a >= b;
  }
}

template <ExprOp op, typename L, typename R>
void Loop(const L& l, const R& r, const Sel& in, Sel* out) {
  out->resize(in.size());
  uint32_t* o = out->data();
  size_t n = 0;
  for (uint32_t row : in) {
    o[n] = row;
    n += l.ok(row) & r.ok(row) & static_cast<uint8_t>(Test<op>(l.get(row), r.get(row)));
  }
  out->resize(n);
}

template <typename L, typename R>
void Dispatch(ExprOp op, const L& l, const R& r, const Sel& in, Sel* out) {
  out->clear();
  if constexpr (kCompatible<L, R>) {
    switch (op) {
      case ExprOp::kEq:
        return Loop<ExprOp::kEq>(l, r, in, out);
      case ExprOp::kNe:
        return Loop<ExprOp::kNe>(l, r, in, out);
      case ExprOp::kLt:
        return Loop<ExprOp::kLt>(l, r, in, out);
      case ExprOp::kLe:
        return Loop<ExprOp::kLe>(l, r, in, out);
      case ExprOp::kGt:
        return Loop<ExprOp::kGt>(l, r, in, out);
      case ExprOp::kGe:
        return Loop<ExprOp::kGe>(l, r, in, out);
      default:
        return;
    }
  }
}

}  // namespace

bool CompareValues(ExprOp op, const Value& lhs, const Value& rhs) {
  Sel one = {0}, out;
  Visit(lhs,
        [&](const auto& l) { Visit(rhs, [&](const auto& r) { Dispatch(op, l, r, one, &out); }); });
  return !out.empty();
}

void CompareVectors(ExprOp op, const Vector& lhs, const Vector& rhs, const Sel& in, Sel* out) {
  out->clear();
  if (lhs.is_scalar && rhs.is_scalar) {
    if (CompareValues(op, lhs.scalar, rhs.scalar)) *out = in;
    return;
  }
  Sel part;
  bool first = true;
  for (size_t i = 0; i < OperandCount(lhs); ++i) {
    for (size_t j = 0; j < OperandCount(rhs); ++j) {
      Sel* dst = first ? out : &part;
      dst->clear();
      VisitOperand(lhs, i, [&](const auto& l) {
        VisitOperand(rhs, j, [&](const auto& r) { Dispatch(op, l, r, in, dst); });
      });
      // One typed column per side is the common case; only mixed-type fields pay a merge.
      if (!first) *out = SelUnion(*out, part);
      first = false;
    }
  }
}

}  // namespace vigil::query
