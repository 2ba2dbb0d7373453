#include <algorithm>
#include <set>

#include "core/batch.h"
#include "query/planner_rules.h"

namespace vigil::query {

std::vector<std::string> ScanColumns(const Plan& plan) {
  std::set<std::string, std::less<>> needed, shadowed;
  auto need = [&](const std::string& name) {
    if (!shadowed.contains(name)) needed.insert(name);
  };
  auto need_expr = [&](const Expr& e) {
    std::vector<std::string> fields;
    CollectFields(e, &fields);
    for (const std::string& f : fields) need(f);
  };
  bool aggregated = false;
  for (const PlanOp& op : plan.ops) {
    if (aggregated) break;  // later names refer to the aggregate's output
    switch (op.kind) {
      case PlanOp::Kind::kFilter:
        need_expr(*op.predicate);
        break;
      case PlanOp::Kind::kProject:
        for (const ProjectItem& it : op.items) need_expr(*it.expr);
        for (const ProjectItem& it : op.items) shadowed.insert(it.name);
        break;
      case PlanOp::Kind::kSort:
        for (const SortKey& k : op.keys) need(k.name);
        break;
      case PlanOp::Kind::kLimit:
        break;
      case PlanOp::Kind::kParse:
        need_expr(*op.items[0].expr);
        shadowed.insert(op.names.begin(), op.names.end());
        break;
      case PlanOp::Kind::kDedup:
        for (const std::string& n : op.names) need(n);
        break;
      case PlanOp::Kind::kAggregate:
        for (const ProjectItem& it : op.items) need_expr(*it.expr);
        for (const AggregateItem& a : op.aggs)
          if (a.arg) need_expr(*a.arg);
        aggregated = true;
        break;
    }
  }
  if (!aggregated)
    for (const ResultColumn& c : plan.output) need(c.name);
  if (needed.contains(field::kMessage)) return {};
  needed.insert(std::string(field::kTimestamp));
  return {needed.begin(), needed.end()};
}

}  // namespace vigil::query
