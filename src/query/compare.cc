#include "query/compare.h"

#include <string_view>
#include <type_traits>
#include <utility>

namespace vigil::query {
namespace {

// Accessors give the kernels one shape for columns and constants; after inlining, a
// constant operand costs nothing per row. Invalid rows hold placeholder values
// (batch.h), so get() is safe on every row and the loops can stay branch-free.
template <typename T>
struct ColumnAcc {
  const uint8_t* valid;
  const T* data;
  uint8_t ok(uint32_t r) const { return valid[r]; }
  T get(uint32_t r) const { return data[r]; }
};

struct StringAcc {
  const uint8_t* valid;
  const StringVec* strs;
  uint8_t ok(uint32_t r) const { return valid[r]; }
  std::string_view get(uint32_t r) const { return (*strs)[r]; }
};

template <typename T>
struct ConstAcc {
  T v;
  uint8_t ok(uint32_t) const { return 1; }
  T get(uint32_t) const { return v; }
};

template <typename A>
using ValueOf = decltype(std::declval<const A&>().get(0));

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

template <typename F>
void Visit(const Column& c, F&& f) {
  switch (c.type) {
    case Type::kBool:
    case Type::kInt:
      return f(ColumnAcc<int64_t>{c.valid.data(), c.ints.data()});
    case Type::kFloat:
      return f(ColumnAcc<double>{c.valid.data(), c.floats.data()});
    case Type::kString:
      return f(StringAcc{c.valid.data(), &c.strs});
    case Type::kNull:
      return;
  }
}

template <typename F>
void Visit(const Value& v, F&& f) {
  switch (v.type()) {
    case Type::kBool:
      return f(ConstAcc<int64_t>{std::get<bool>(v.v) ? 1 : 0});
    case Type::kInt:
      return f(ConstAcc<int64_t>{std::get<int64_t>(v.v)});
    case Type::kFloat:
      return f(ConstAcc<double>{std::get<double>(v.v)});
    case Type::kString:
      return f(ConstAcc<std::string_view>{std::get<std::string>(v.v)});
    case Type::kNull:
      return;
  }
}

// Visits operand `i` of `v`: its scalar, or its i-th column.
template <typename F>
void VisitOperand(const Vector& v, size_t i, F&& f) {
  if (v.is_scalar) {
    Visit(v.scalar, f);
  } else {
    Visit(*v.columns[i], f);
  }
}

size_t OperandCount(const Vector& v) { return v.is_scalar ? 1 : v.columns.size(); }

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
