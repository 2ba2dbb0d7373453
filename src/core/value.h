// Value: one typed scalar (a query literal, a single cell read out of a Column).
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "core/batch.h"

namespace vigil {

struct Value {
  std::variant<std::monostate, bool, int64_t, double, std::string> v;

  Value() = default;
  explicit Value(bool b) : v(b) {}
  explicit Value(int64_t i) : v(i) {}
  explicit Value(double d) : v(d) {}
  explicit Value(std::string s) : v(std::move(s)) {}

  Type type() const {
    switch (v.index()) {
      case 1: return Type::kBool;
      case 2: return Type::kInt;
      case 3: return Type::kFloat;
      case 4: return Type::kString;
      default: return Type::kNull;
    }
  }
  bool is_null() const { return v.index() == 0; }
  bool operator==(const Value& o) const { return v == o.v; }
};

// The value of `col` at `row`, or null when the row is not valid there.
inline Value CellValue(const Column& col, size_t row) {
  if (!col.IsValid(row)) return {};
  switch (col.type) {
    case Type::kBool: return Value(col.ints[row] != 0);
    case Type::kInt: return Value(col.ints[row]);
    case Type::kFloat: return Value(col.floats[row]);
    case Type::kString: return Value(std::string(col.strs[row]));
    case Type::kNull: break;
  }
  return {};
}

}  // namespace vigil
