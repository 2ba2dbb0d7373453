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
  // Further bind-time checks of the bound call (e.g. a literal period), or nullptr.
  // Errors: InvalidArgument with the position of the offending argument.
  Status (*check)(Expr& call) = nullptr;
  // The result is a time (Int ns since the epoch), shown as a time in results.
  bool returns_time = false;
};

// The definition of `name` (lower case), or nullptr.
const FunctionDef* FindFunction(std::string_view name);

// True for Logs Insights functions Vigil does not implement (for a clearer error).
bool IsPlannedFunction(std::string_view name);

}  // namespace vigil::query
