#include <algorithm>
#include <set>

#include "core/batch.h"
#include "query/planner_rules.h"

namespace vigil::query {
namespace {

// Calls use(name, numeric) for every field `e` reads; numeric: only as a side of a
// comparison with a number (`status >= 500`), where a String value never matches.
template <typename Use>
void ClassifyFields(const Expr& e, Use&& use) {
  if (e.kind == ExprKind::kBinary && IsComparison(e.op) && e.args.size() == 2) {
    for (int side = 0; side < 2; ++side) {
      const Expr& f = *e.args[side];
      const Expr& lit = *e.args[1 - side];
      const Type t = lit.IsLiteral() ? lit.literal.type() : Type::kNull;
      if (f.IsField() && (t == Type::kInt || t == Type::kFloat || t == Type::kBool)) {
        use(f.name, true);
        return;
      }
    }
  }
  if (e.IsField()) use(e.name, false);
  for (const ExprPtr& a : e.args) ClassifyFields(*a, use);
}

}  // namespace

void ChooseScanColumns(const Plan& plan, ScanSpec* scan) {
  std::set<std::string, std::less<>> needed, shadowed, as_text;
  auto need = [&](const std::string& name) {
    if (shadowed.contains(name)) return;
    needed.insert(name);
    as_text.insert(name);
  };
  auto need_expr = [&](const Expr& e) {
    ClassifyFields(e, [&](const std::string& name, bool numeric) {
      if (shadowed.contains(name)) return;
      needed.insert(name);
      if (!numeric) as_text.insert(name);
    });
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
  scan->columns.clear();
  scan->numeric_only.clear();
  if (needed.contains(field::kMessage)) return;
  needed.insert(std::string(field::kTimestamp));
  scan->columns.assign(needed.begin(), needed.end());
  for (const std::string& n : needed)
    if (!as_text.contains(n) && n != field::kTimestamp) scan->numeric_only.push_back(n);
}

}  // namespace vigil::query
