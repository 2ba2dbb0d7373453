// The function kernels, by file; the table that names them is in functions.cc.
// Each has the FunctionDef::eval (or ::check) signature. Internal.
#pragma once

#include "core/status.h"
#include "query/ast.h"
#include "query/evaluator.h"

namespace vigil::query {

#define VIGIL_KERNEL(name) Vector name(Evaluator& ev, const Expr& call, const Sel& sel)

// functions.cc: general
VIGIL_KERNEL(FnIsPresent);
VIGIL_KERNEL(FnIsEmpty);
VIGIL_KERNEL(FnIsBlank);
VIGIL_KERNEL(FnCoalesce);
// fn_string.cc
VIGIL_KERNEL(FnConcat);
VIGIL_KERNEL(FnStrlen);
VIGIL_KERNEL(FnToUpper);
VIGIL_KERNEL(FnToLower);
VIGIL_KERNEL(FnTrim);
VIGIL_KERNEL(FnLtrim);
VIGIL_KERNEL(FnRtrim);
VIGIL_KERNEL(FnSubstr);
VIGIL_KERNEL(FnReplace);
VIGIL_KERNEL(FnStrContains);
// fn_math.cc
VIGIL_KERNEL(FnAbs);
VIGIL_KERNEL(FnCeil);
VIGIL_KERNEL(FnFloor);
VIGIL_KERNEL(FnRound);
VIGIL_KERNEL(FnGreatest);
VIGIL_KERNEL(FnLeast);
VIGIL_KERNEL(FnLog);
VIGIL_KERNEL(FnSqrt);
Status CheckRound(Expr& call);
// fn_time.cc
VIGIL_KERNEL(FnBin);
VIGIL_KERNEL(FnDateFloor);
VIGIL_KERNEL(FnDateCeil);
VIGIL_KERNEL(FnFromMillis);
VIGIL_KERNEL(FnToMillis);
Status CheckBin(Expr& call);
Status CheckDatePeriod(Expr& call);
// fn_ip.cc
VIGIL_KERNEL(FnIsValidIp);
VIGIL_KERNEL(FnIsValidIpV4);
VIGIL_KERNEL(FnIsValidIpV6);
VIGIL_KERNEL(FnIsIpInSubnet);
VIGIL_KERNEL(FnIsIpV4InSubnet);
VIGIL_KERNEL(FnIsIpV6InSubnet);
Status CheckSubnet(Expr& call);

#undef VIGIL_KERNEL

}  // namespace vigil::query
