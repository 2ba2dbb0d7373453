// Functions callable in query expressions: a table of definitions, each with its arity
// and a vectorized kernel. Adding a function is one entry here plus its kernel.
#pragma once

#include <string_view>

#include "query/ast.h"
#include "query/evaluator.h"

namespace vigil::query {

struct FunctionDef {
  std::string_view name;  // lower case; calls are matched case-insensitively
  size_t min_args = 0;
  size_t max_args = 0;
  bool field_args = false;  // every argument must be a field name
  // The value of `call` (whose arguments the binder checked) on the rows of `sel`.
  Vector (*eval)(Evaluator& ev, const Expr& call, const Sel& sel) = nullptr;
};

// The definition of `name` (lower case), or nullptr.
const FunctionDef* FindFunction(std::string_view name);

// True for Logs Insights functions Vigil does not implement yet (for a clearer error).
bool IsPlannedFunction(std::string_view name);

}  // namespace vigil::query
