// Helpers for the aggregate states (aggregates.cc, agg_*.cc): loops that hand each
// selected row's value to a state together with the row's group id, one typed column at
// a time. Internal to the query module.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/value.h"
#include "query/evaluator.h"

namespace vigil::query {

// One value of any type, read from a column without copying. Bool keeps its type (its
// 0/1 is in `i`); `s` borrows the column's or Value's bytes.
struct Cell {
  Type type = Type::kNull;
  int64_t i = 0;
  double d = 0;
  std::string_view s;
};

Cell CellOf(const Value& v);
// The value of `v` at `row` (type kNull when missing): the first column valid there.
Cell CellAt(const Vector& v, uint32_t row);
Value ValueOf(const Cell& c);
// Sort order (docs/query.md): numbers (Int, Float and Bool compared numerically) before
// strings (bytewise). REQUIRES: both non-null. Returns <0, 0 or >0.
int CompareCells(const Cell& a, const Cell& b);

// Calls f(i, gids[i], x) for each selected row sel[i] where `v` holds a number, with x an
// int64_t (Int, Bool) or a double (Float).
template <typename F>
void ForEachNumber(const Vector& v, const Sel& sel, const uint32_t* gids, F&& f) {
  if (v.is_scalar) {
    const Cell c = CellOf(v.scalar);
    if (c.type == Type::kInt || c.type == Type::kBool) {
      for (size_t i = 0; i < sel.size(); ++i) f(i, gids[i], c.i);
    } else if (c.type == Type::kFloat) {
      for (size_t i = 0; i < sel.size(); ++i) f(i, gids[i], c.d);
    }
    return;
  }
  for (const Column* col : v.columns) {
    const uint8_t* ok = col->valid.data();
    if (col->type == Type::kInt || col->type == Type::kBool) {
      const int64_t* data = col->ints.data();
      for (size_t i = 0; i < sel.size(); ++i)
        if (ok[sel[i]]) f(i, gids[i], data[sel[i]]);
    } else if (col->type == Type::kFloat) {
      const double* data = col->floats.data();
      for (size_t i = 0; i < sel.size(); ++i)
        if (ok[sel[i]]) f(i, gids[i], data[sel[i]]);
    }
  }
}

// Calls f(i, gids[i], cell) for each selected row sel[i] where `v` has a value.
template <typename F>
void ForEachCell(const Vector& v, const Sel& sel, const uint32_t* gids, F&& f) {
  if (v.is_scalar) {
    if (v.scalar.is_null()) return;
    const Cell c = CellOf(v.scalar);
    for (size_t i = 0; i < sel.size(); ++i) f(i, gids[i], c);
    return;
  }
  for (const Column* col : v.columns) {
    Cell c;
    c.type = col->type;
    for (size_t i = 0; i < sel.size(); ++i) {
      const uint32_t row = sel[i];
      if (!col->valid[row]) continue;
      switch (col->type) {
        case Type::kBool:
        case Type::kInt:
          c.i = col->ints[row];
          break;
        case Type::kFloat:
          c.d = col->floats[row];
          break;
        case Type::kString:
          c.s = col->strs[row];
          break;
        case Type::kNull:
          continue;
      }
      f(i, gids[i], c);
    }
  }
}

}  // namespace vigil::query
