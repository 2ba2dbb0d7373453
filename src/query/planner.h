// Planner: bound AST -> logical Plan (plan.h), then the planner rules
// (planner_rules.h) fill in the scan and rewrite the pipeline.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "query/ast.h"
#include "query/plan.h"
#include "query/query.h"
#include "query/views.h"

namespace vigil::query {

struct PlannerOptions {
  // `<id field> = "..."` as a top-level conjunct makes a query an id lookup: it searches
  // all time unless the request gives a range, and lists rows oldest first.
  std::vector<std::string> id_fields = {"request_id", "trace_id"};
  // Time window searched when neither the request nor the query bounds time.
  int64_t default_window_ns = int64_t{3600} * 1'000'000'000;
  // Without an explicit `sort`, order by @timestamp (newest first; oldest first for id
  // lookups), as Logs Insights does. A front end with unordered semantics (SQL without
  // ORDER BY) turns this off; the scan then stops as soon as the limit is reached.
  bool default_time_order = true;
  // Views for `source <view>`; nullptr means DefaultViews().
  const ViewRegistry* views = nullptr;
  // Memory the query's aggregates may hold (Plan::memory_budget_bytes).
  size_t memory_budget_bytes = size_t{256} << 20;
  int64_t timeout_ms = 0;  // Plan::timeout_ms
};

// Binds every expression of `ast` and plans it for `req`. `now_ns` is the current time
// (the caller resolves req.now_ns == 0 to the clock). A query with
// ast.default_time_order == false (SQL) gets no default newest-first order.
// Errors: InvalidArgument "line L, column C: ..." from the binder or the translation
// (unknown view, misplaced aggregate, parse pattern and names that do not agree, ...).
Result<Plan> BuildPlan(QueryAst&& ast, const QueryRequest& req, int64_t now_ns,
                       const PlannerOptions& options);

}  // namespace vigil::query
