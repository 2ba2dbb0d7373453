// Building blocks of the vectorized kernels (compare.cc, arith.cc, functions): typed
// accessors that give a column and a constant the same shape, so one templated loop
// serves both and a constant operand costs nothing per row after inlining.
// Internal to the query module.
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/batch.h"
#include "core/value.h"
#include "query/evaluator.h"

namespace vigil::query {

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

inline size_t OperandCount(const Vector& v) { return v.is_scalar ? 1 : v.columns.size(); }

}  // namespace vigil::query
