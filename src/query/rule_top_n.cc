#include <algorithm>

#include "query/planner_rules.h"

namespace vigil::query {

void FuseTopN(Plan* plan) {
  auto& ops = plan->ops;
  using Kind = PlanOp::Kind;
  for (size_t i = 1; i < ops.size(); ++i) {
    // Bubble each Limit ahead of the Projects right before it.
    for (size_t j = i; j > 0 && ops[j].kind == Kind::kLimit && ops[j - 1].kind == Kind::kProject;
         --j) {
      std::swap(ops[j], ops[j - 1]);
    }
  }
  for (size_t i = 0; i + 1 < ops.size();) {
    PlanOp& op = ops[i];
    PlanOp& next = ops[i + 1];
    if ((op.kind == Kind::kSort || op.kind == Kind::kLimit) && next.kind == Kind::kLimit) {
      op.limit = std::min(op.limit.value_or(*next.limit), *next.limit);
      ops.erase(ops.begin() + static_cast<ptrdiff_t>(i) + 1);
    } else {
      ++i;
    }
  }
}

}  // namespace vigil::query
