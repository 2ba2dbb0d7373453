#include <set>
#include <string>

#include "query/planner_rules.h"

namespace vigil::query {

std::vector<const Expr*> ScanConjuncts(const Plan& plan) {
  std::vector<const Expr*> out;
  std::set<std::string, std::less<>> shadowed;
  for (const PlanOp& op : plan.ops) {
    if (op.kind == PlanOp::Kind::kSort || op.kind == PlanOp::Kind::kLimit ||
        op.kind == PlanOp::Kind::kAggregate || op.kind == PlanOp::Kind::kDedup) {
      break;
    }
    if (op.kind == PlanOp::Kind::kProject) {
      for (const ProjectItem& it : op.items) shadowed.insert(it.name);
      continue;
    }
    if (op.kind == PlanOp::Kind::kParse) {
      shadowed.insert(op.names.begin(), op.names.end());
      continue;
    }
    if (op.kind != PlanOp::Kind::kFilter) continue;
    std::vector<const Expr*> conjuncts;
    SplitConjuncts(*op.predicate, &conjuncts);
    for (const Expr* c : conjuncts) {
      std::vector<std::string> fields;
      CollectFields(*c, &fields);
      bool raw = true;
      for (const std::string& f : fields) raw = raw && !shadowed.contains(f);
      if (raw) out.push_back(c);
    }
  }
  return out;
}

}  // namespace vigil::query
