// Arithmetic kernels: + - * / % ^ and unary minus over Vectors, a batch at a time.
//
// Numbers only: Int, Float and Bool (as 0/1, so `sum(status >= 500)` counts). A row
// where an operand is missing or not a number gives null. Int op Int stays Int for
// + - * % (falling back to Float on overflow); `/` and `^` always give Float. Division
// or modulo by zero, and results that are not finite, give null.
#pragma once

#include "core/value.h"
#include "query/ast.h"
#include "query/evaluator.h"

namespace vigil::query {

// `l op r` on the rows of `sel` (`op` is binary arithmetic). Columns are owned by `ev`.
Vector EvalArithmetic(Evaluator& ev, ExprOp op, const Vector& l, const Vector& r, const Sel& sel);
// `-v` on the rows of `sel`.
Vector EvalNegate(Evaluator& ev, const Vector& v, const Sel& sel);
// The same rules for scalars (constant folding); `r` is ignored for kNeg.
Value ArithValues(ExprOp op, const Value& l, const Value& r);

}  // namespace vigil::query
