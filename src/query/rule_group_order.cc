#include "query/planner_rules.h"

namespace vigil::query {

void OrderGroups(Plan* plan) {
  auto& ops = plan->ops;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind != PlanOp::Kind::kAggregate || ops[i].items.empty()) continue;
    bool sorted = false;
    for (size_t j = i + 1; j < ops.size() && ops[j].kind != PlanOp::Kind::kAggregate; ++j) {
      sorted = sorted || ops[j].kind == PlanOp::Kind::kSort;
    }
    if (sorted) continue;
    PlanOp sort;
    sort.kind = PlanOp::Kind::kSort;
    for (const ProjectItem& key : ops[i].items) sort.keys.push_back(SortKey{key.name, false});
    ops.insert(ops.begin() + static_cast<ptrdiff_t>(i) + 1, std::move(sort));
  }
}

}  // namespace vigil::query
