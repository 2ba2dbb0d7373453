#include "query/functions.h"

#include <array>

#include "core/batch.h"

namespace vigil::query {
namespace {

// ispresent(field): true on rows where the field has a value of any type.
Vector IsPresent(Evaluator& ev, const Expr& call, const Sel& sel) {
  Column* out = ev.NewColumn(Type::kBool);
  const std::string& name = call.args[0]->name;
  // @message is always present (rendered when not stored); skip rendering it.
  const bool always = name == field::kMessage;
  Vector v = always ? Vector{} : ev.Field(name, sel);
  for (uint32_t row : sel) {
    uint8_t present = always;
    for (const Column* c : v.columns) present |= c->valid[row];
    out->valid[row] = 1;
    out->ints[row] = present;
  }
  Vector result;
  result.columns.push_back(out);
  return result;
}

constexpr std::array<FunctionDef, 1> kFunctions = {{
    {"ispresent", 1, 1, true, &IsPresent},
}};

}  // namespace

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& f : kFunctions)
    if (f.name == name) return &f;
  return nullptr;
}

bool IsPlannedFunction(std::string_view name) {
  static constexpr std::string_view kPlanned[] = {
      "count",        "count_distinct", "sum",           "avg",         "min",
      "max",          "stddev",         "pct",           "earliest",    "latest",
      "sortsfirst",   "sortslast",      "bin",           "datefloor",   "dateceil",
      "frommillis",   "tomillis",       "isempty",       "isblank",     "concat",
      "ltrim",        "rtrim",          "trim",          "strlen",      "toupper",
      "tolower",      "substr",         "replace",       "strcontains", "abs",
      "ceil",         "floor",          "greatest",      "least",       "log",
      "sqrt",         "coalesce",       "isvalidip",     "isvalidipv4", "isvalidipv6",
      "isipinsubnet", "isipv4insubnet", "isipv6insubnet"};
  for (std::string_view p : kPlanned)
    if (p == name) return true;
  return false;
}

}  // namespace vigil::query
