// Executor: runs a Plan against a Store.
#pragma once

#include "core/status.h"
#include "query/plan.h"
#include "query/query.h"
#include "store/store.h"

namespace vigil::query {

// Scans `store` with plan.scan and pushes every batch through the plan's operators,
// evaluated vectorized per batch; returns the output rows in order and the stats
// (scan stats, rows matched, the time range searched; elapsed_ms is left to the
// caller). Rows matched counts the rows that passed the filters before the first
// sort or limit. The scan stops early only when a limit is reached with no sort before
// it. Errors: whatever Store::Scan returns. Thread-safe: the plan is only read.
Result<QueryResult> ExecutePlan(const Plan& plan, Store& store);

}  // namespace vigil::query
