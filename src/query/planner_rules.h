// Planner rules: small passes over a Plan, one per file (rule_*.cc), applied by
// BuildPlan in the order listed here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/plan.h"
#include "query/planner.h"
#include "query/query.h"

namespace vigil::query {

// The conjuncts the scan may use (rule_scan_conjuncts.cc): the top-level `and` operands
// of Filters that come before any Sort, Limit, Aggregate or Dedup (a filter after a limit
// must not shrink what the limit sees), over fields no earlier Project or Parse shadows. Pointers into `plan`,
// valid while its operators' expressions live.
std::vector<const Expr*> ScanConjuncts(const Plan& plan);

// Whether a conjunct `<id field> = "string"` pins one request or trace
// (rule_time_range.cc).
bool IsIdLookup(const std::vector<const Expr*>& conjuncts, const std::vector<std::string>& ids);

// Sets scan->min_ts/max_ts (rule_time_range.cc). The request's start/end apply when
// given. A side neither the request nor the query bounds defaults to the last
// `window` ending at now -- unless the query scopes itself (an id lookup or its own
// @timestamp bound), in which case open sides are unbounded. `@timestamp` conjuncts
// against literals then narrow the range.
void ChooseTimeRange(const std::vector<const Expr*>& conjuncts, const QueryRequest& req,
                     int64_t now_ns, int64_t window_ns, bool id_lookup, ScanSpec* scan);

// Pruning hints from conjuncts (rule_prune_predicates.cc): `field = "string"` -> kEq,
// `field <op> number` -> kEq/kLt/kLe/kGt/kGe (strict ops against integers beyond 2^53
// relaxed to <= / >=, since stores compare as doubles). Time fields are left to the
// time range.
std::vector<PrunePredicate> ExtractPrunePredicates(const std::vector<const Expr*>& conjuncts);

// Without any Sort before the first Aggregate, inserts `sort @timestamp` (desc, or asc
// when `ascending`) before the first Limit or Dedup, or at the end when there is no
// Aggregate (rule_default_order.cc). Returns whether it did.
bool AddDefaultOrder(Plan* plan, bool ascending);

// After each Aggregate with group keys that no Sort follows (before the next Aggregate),
// inserts a Sort by the keys, ascending, so grouped results come out in key order
// (rule_group_order.cc).
void OrderGroups(Plan* plan);

// Without any Limit, appends `limit max_rows` (rule_default_order.cc).
void CapRows(Plan* plan, uint64_t max_rows);

// Moves each Limit ahead of the Projects before it (a limit commutes with a per-row
// map), merges adjacent Limits and folds a Limit into the Sort before it, making a top-N
// (rule_top_n.cc).
void FuseTopN(Plan* plan);

// Sets scan->columns to the fields the scan must return (rule_projection.cc): every field
// read before being shadowed by a Project or Parse (up to the first Aggregate, whose
// output later operators read), plus @timestamp, sorted; empty (= all columns) when
// @message is needed, since a JSON event's @message is rendered from all of its fields.
// scan->numeric_only: those read only in comparisons with numbers.
void ChooseScanColumns(const Plan& plan, ScanSpec* scan);

}  // namespace vigil::query
