#include <algorithm>

#include "core/batch.h"
#include "query/planner_rules.h"

namespace vigil::query {

bool AddDefaultOrder(Plan* plan, bool ascending) {
  auto& ops = plan->ops;
  auto is = [](PlanOp::Kind k) { return [k](const PlanOp& op) { return op.kind == k; }; };
  if (std::any_of(ops.begin(), ops.end(), is(PlanOp::Kind::kSort))) return false;
  PlanOp sort;
  sort.kind = PlanOp::Kind::kSort;
  sort.keys.push_back(SortKey{std::string(field::kTimestamp), !ascending});
  ops.insert(std::find_if(ops.begin(), ops.end(), is(PlanOp::Kind::kLimit)), std::move(sort));
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
