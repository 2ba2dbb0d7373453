// The function table, and the general functions (ispresent, isempty, isblank,
// coalesce). Other kernels live in fn_string.cc, fn_math.cc, fn_time.cc, fn_ip.cc.
#include "query/functions.h"

#include <array>

#include "core/batch.h"
#include "query/fn_kernels.h"
#include "query/fn_util.h"

namespace vigil::query {

// ispresent(field): true on rows where the field has a value of any type.
Vector FnIsPresent(Evaluator& ev, const Expr& call, const Sel& sel) {
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

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

// isempty(x): missing or "". isblank(x): missing, "" or only whitespace.
Vector FnIsEmpty(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapRows(ev, call, sel, [](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    out.PutBool(row, a[0].type == Type::kNull || (a[0].type == Type::kString && a[0].s.empty()));
  });
}

Vector FnIsBlank(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapRows(ev, call, sel, [](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    bool blank = a[0].type == Type::kNull;
    if (a[0].type == Type::kString) {
      blank = true;
      for (char c : a[0].s) blank = blank && IsSpace(c);
    }
    out.PutBool(row, blank);
  });
}

// coalesce(a, b, ...): the first argument with a value.
Vector FnCoalesce(Evaluator& ev, const Expr& call, const Sel& sel) {
  return MapRows(ev, call, sel, [](uint32_t row, const std::vector<Cell>& a, ValueSink& out) {
    for (const Cell& c : a) {
      if (c.type != Type::kNull) return out.Put(row, c);
    }
  });
}

namespace {

constexpr size_t kMany = 64;

constexpr std::array<FunctionDef, 37> kFunctions = {{
    {"ispresent", 1, 1, true, &FnIsPresent},
    {"isempty", 1, 1, false, &FnIsEmpty},
    {"isblank", 1, 1, false, &FnIsBlank},
    {"coalesce", 1, kMany, false, &FnCoalesce},
    {"concat", 1, kMany, false, &FnConcat},
    {"strlen", 1, 1, false, &FnStrlen},
    {"toupper", 1, 1, false, &FnToUpper},
    {"tolower", 1, 1, false, &FnToLower},
    {"trim", 1, 2, false, &FnTrim},
    {"ltrim", 1, 2, false, &FnLtrim},
    {"rtrim", 1, 2, false, &FnRtrim},
    {"substr", 2, 3, false, &FnSubstr},
    {"replace", 3, 3, false, &FnReplace},
    {"strcontains", 2, 2, false, &FnStrContains},
    {"abs", 1, 1, false, &FnAbs},
    {"ceil", 1, 1, false, &FnCeil},
    {"floor", 1, 1, false, &FnFloor},
    {"round", 1, 2, false, &FnRound, &CheckRound},
    {"greatest", 1, kMany, false, &FnGreatest},
    {"least", 1, kMany, false, &FnLeast},
    {"log", 1, 1, false, &FnLog},
    {"sqrt", 1, 1, false, &FnSqrt},
    {"bin", 1, 2, false, &FnBin, &CheckBin, true},
    {"datefloor", 2, 2, false, &FnDateFloor, &CheckDatePeriod, true},
    {"dateceil", 2, 2, false, &FnDateCeil, &CheckDatePeriod, true},
    {"frommillis", 1, 1, false, &FnFromMillis, nullptr, true},
    {"tomillis", 1, 1, false, &FnToMillis},
    {"isvalidip", 1, 1, false, &FnIsValidIp},
    {"isvalidipv4", 1, 1, false, &FnIsValidIpV4},
    {"isvalidipv6", 1, 1, false, &FnIsValidIpV6},
    {"isipinsubnet", 2, 2, false, &FnIsIpInSubnet, &CheckSubnet},
    {"isipv4insubnet", 2, 2, false, &FnIsIpV4InSubnet, &CheckSubnet},
    {"isipv6insubnet", 2, 2, false, &FnIsIpV6InSubnet, &CheckSubnet},
    // SQL spellings
    {"upper", 1, 1, false, &FnToUpper},
    {"lower", 1, 1, false, &FnToLower},
    {"length", 1, 1, false, &FnStrlen},
    {"ln", 1, 1, false, &FnLog},
}};

}  // namespace

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& f : kFunctions)
    if (f.name == name) return &f;
  return nullptr;
}

bool IsPlannedFunction(std::string_view name) {
  static constexpr std::string_view kUnsupported[] = {"jsonparse", "jsonstringify", "unmask",
                                                      "parse", "ispresentall"};
  for (std::string_view p : kUnsupported)
    if (p == name) return true;
  return false;
}

}  // namespace vigil::query
