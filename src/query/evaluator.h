// Vectorized expression evaluation over column batches.
//
// Expressions are evaluated for a whole Frame at a time, restricted to a selection
// vector (the ascending indices of the rows still alive). Predicates narrow a selection
// (Select); value expressions produce a Vector: either one scalar or typed columns
// (a field may have an Int column on some rows and a String column on others). The hot
// loops (compare.h) run over the raw int64/double/string arrays of a Column; no Value is
// built per row.
//
// Type rules (docs/query.md): a comparison only matches rows where both sides hold
// values of compatible types: numbers (Int, Float, Bool as 0/1) with numbers, strings
// with strings. A row where a side is missing, or holds an incompatible type, does not
// match -- for `!=` too. `not` inverts the selection it wraps.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/value.h"
#include "query/ast.h"

namespace vigil::query {

// Ascending row indices into a Frame.
using Sel = std::vector<uint32_t>;

// Rows flowing through the executor.
struct Frame {
  Batch raw;       // the event's own columns, as scanned
  Batch computed;  // columns computed by `fields expr as name`; computed.rows == raw.rows.
                   // Kept apart from `raw` so that @message renders only the event's fields.
  Sel sel;         // the live rows

  size_t rows() const { return raw.rows; }
  // A frame over all rows of `batch`.
  static Frame Of(Batch&& batch);
};

// The value of an expression on the selected rows of a frame.
struct Vector {
  bool is_scalar = false;
  Value scalar;  // when is_scalar
  // Otherwise one column per type present, each with frame.rows() rows and meaningful on
  // the selected rows only. Borrowed from the frame or from the Evaluator that made it.
  std::vector<const Column*> columns;

  static Vector Scalar(Value v) {
    Vector out;
    out.is_scalar = true;
    out.scalar = std::move(v);
    return out;
  }
};

// The value of `v` at `row` as a Value (null when absent): the first column valid there.
// For result materialization only, never in a per-row filter loop.
Value VectorCell(const Vector& v, uint32_t row);

// Evaluates bound expressions (binder.h) over one frame.
// Thread-safety: none; one evaluator per frame and thread. The frame must outlive it,
// and Vectors it returns live as long as both.
class Evaluator {
 public:
  explicit Evaluator(const Frame& frame) : frame_(frame) {}

  // Sets `out` to the rows of `in` where `pred` is true. `out` must not alias `in`.
  void Select(const Expr& pred, const Sel& in, Sel* out);
  // The value of `e` on the rows of `sel`.
  Vector Eval(const Expr& e, const Sel& sel);
  // The columns of field `name`: a computed column of that name shadows the event's
  // own. `@message`, when the event has no String `@message`, is rendered as JSON from
  // the event's fields (core/json_render.h) for the rows of `sel`.
  Vector Field(std::string_view name, const Sel& sel);

  // A new column owned by this evaluator, `frame.rows()` rows, all invalid.
  Column* NewColumn(Type type);
  const Frame& frame() const { return frame_; }

 private:
  Vector Message(const std::vector<const Column*>& columns, const Sel& sel);
  Vector PredicateValue(const Expr& e, const Sel& sel);

  const Frame& frame_;
  std::deque<Column> arena_;  // deque: pointers stay valid as it grows
};

// Set operations on selections (both inputs ascending).
Sel SelUnion(const Sel& a, const Sel& b);
Sel SelMinus(const Sel& all, const Sel& remove);  // REQUIRES: remove is a subset of all
Sel SelAll(size_t rows);

}  // namespace vigil::query
