// Binder: checks a parsed expression and rewrites it, in place, into the shape the
// planner rules and the evaluator rely on:
//   - `literal op field` becomes `field op' literal` (`500 <= status` -> `status >= 500`);
//   - a comparison of two literals folds to true/false;
//   - a literal compared with a time field (@timestamp, @ingested) becomes Int ns since
//     the epoch: strings are parsed as ISO 8601, numbers are epoch seconds, ms, us or ns
//     by magnitude (core/timestamp.h, the rule ingest uses);
//   - `f = null` becomes `not ispresent(f)`, `f != null` becomes `ispresent(f)`;
//   - `-literal` folds into the literal.
#pragma once

#include <string_view>

#include "core/status.h"
#include "query/ast.h"

namespace vigil::query {

enum class ExprRole {
  kCondition,  // `filter`: must be able to be true or false
  kValue,      // `fields`, `sort`
};

// Binds `*e` (replacing nodes as described above).
// Errors: InvalidArgument "line L, column C: ..." for an unknown or not-yet-supported
// function, a wrong argument count, arithmetic (not supported yet), `null` compared with
// anything but = / != on a field, a time literal that does not parse, and a plain
// number or string used as a condition.
Status BindExpr(ExprRole role, ExprPtr* e);

// @timestamp and @ingested: Int ns since the epoch, shown as times.
bool IsTimeField(std::string_view name);

}  // namespace vigil::query
