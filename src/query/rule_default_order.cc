#include <algorithm>

#include "core/batch.h"
#include "query/planner_rules.h"

namespace vigil::query {

bool AddDefaultOrder(Plan* plan, bool ascending) {
  auto& ops = plan->ops;
  auto is = [](PlanOp::Kind k) { return [k](const PlanOp& op) { return op.kind == k; }; };
  // Only events are ordered by time: look no further than the first aggregate.
  auto events_end = std::find_if(ops.begin(), ops.end(), is(PlanOp::Kind::kAggregate));
  if (std::any_of(ops.begin(), events_end, is(PlanOp::Kind::kSort))) return false;
  auto at = std::find_if(ops.begin(), events_end, [](const PlanOp& op) {
    return op.kind == PlanOp::Kind::kLimit || op.kind == PlanOp::Kind::kDedup;
  });
  if (at == events_end && events_end != ops.end()) return false;  // order cannot matter
  PlanOp sort;
  sort.kind = PlanOp::Kind::kSort;
  sort.keys.push_back(SortKey{std::string(field::kTimestamp), !ascending});
  ops.insert(at, std::move(sort));
  return true;
}

void CapRows(Plan* plan, uint64_t max_rows) {
  for (const PlanOp& op : plan->ops)
    if (op.kind == PlanOp::Kind::kLimit) return;
  PlanOp limit;
  limit.kind = PlanOp::Kind::kLimit;
  limit.limit = max_rows;
  plan->ops.push_back(std::move(limit));
}

}  // namespace vigil::query
