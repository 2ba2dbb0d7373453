// Comparison kernels: `lhs op rhs` over a selection, in tight loops per column type.
#pragma once

#include "query/ast.h"
#include "query/evaluator.h"

namespace vigil::query {

// Appends to `out` (cleared first) the rows of `in` where `lhs op rhs` holds for some
// pair of compatible values (numbers with numbers, strings with strings) present on
// that row. `op` is a comparison (IsComparison). Rows where either side is missing or
// only incompatible types meet never match.
void CompareVectors(ExprOp op, const Vector& lhs, const Vector& rhs, const Sel& in, Sel* out);

// The same rule for two scalars (constant folding; a null never matches).
bool CompareValues(ExprOp op, const Value& lhs, const Value& rhs);

}  // namespace vigil::query
