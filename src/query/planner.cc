#include "query/planner.h"

#include <algorithm>
#include <map>

#include "core/batch.h"
#include "query/binder.h"
#include "query/planner_rules.h"

namespace vigil::query {
namespace {

// Translates commands into operators, one to one, and works out the output columns.
class Translator {
 public:
  Status Run(QueryAst&& ast, Plan* plan) {
    for (Command& cmd : ast.commands) RETURN_IF_ERROR(Translate(cmd, plan));
    std::vector<std::string> names = display_ ? *display_ : fields_;
    if (!display_ && fields_.empty()) {
      names = {std::string(field::kTimestamp), std::string(field::kMessage)};
    }
    for (const std::string& n : names) plan->output.push_back(ResultColumn{n, IsTime(n)});
    return Status::OK();
  }

 private:
  Status Translate(Command& cmd, Plan* plan) {
    PlanOp op;
    switch (cmd.kind) {
      case Command::Kind::kFilter:
        RETURN_IF_ERROR(BindExpr(ExprRole::kCondition, &cmd.predicate));
        op.kind = PlanOp::Kind::kFilter;
        op.predicate = std::move(cmd.predicate);
        break;
      case Command::Kind::kFields:
      case Command::Kind::kDisplay:
        return Select(cmd, plan);
      case Command::Kind::kSort:
        return Sort(cmd, plan);
      case Command::Kind::kLimit:
        op.kind = PlanOp::Kind::kLimit;
        op.limit = cmd.limit;
        break;
      case Command::Kind::kStats:
      case Command::Kind::kParse:
      case Command::Kind::kDedup:
      case Command::Kind::kSource:
        return ErrorAt(cmd.pos, "this command is not supported yet");
    }
    plan->ops.push_back(std::move(op));
    return Status::OK();
  }

  // `fields`/`display`: computed items become a Project; the names become output.
  Status Select(Command& cmd, Plan* plan) {
    std::vector<std::string> names;
    PlanOp project;
    project.kind = PlanOp::Kind::kProject;
    for (SelectItem& item : cmd.items) {
      RETURN_IF_ERROR(BindExpr(ExprRole::kValue, &item.expr));
      if (std::find(names.begin(), names.end(), item.name) == names.end()) {
        names.push_back(item.name);
      }
      if (item.expr->IsFieldNamed(item.name)) continue;  // just names a field
      Compute(item.name, std::move(item.expr), &project);
    }
    if (!project.items.empty()) plan->ops.push_back(std::move(project));
    if (cmd.kind == Command::Kind::kDisplay) {
      display_ = std::move(names);  // the last `display` wins
    } else {
      for (std::string& n : names)
        if (std::find(fields_.begin(), fields_.end(), n) == fields_.end()) fields_.push_back(n);
    }
    return Status::OK();
  }

  // Sort keys that are not plain fields are computed first under hidden names ('#' can
  // not appear in a name a query writes).
  Status Sort(Command& cmd, Plan* plan) {
    PlanOp project, sort;
    project.kind = PlanOp::Kind::kProject;
    sort.kind = PlanOp::Kind::kSort;
    for (SortItem& key : cmd.keys) {
      RETURN_IF_ERROR(BindExpr(ExprRole::kValue, &key.expr));
      std::string name = key.expr->IsField() ? key.expr->name : "#sort" + std::to_string(++hidden_);
      if (!key.expr->IsField()) Compute(name, std::move(key.expr), &project);
      sort.keys.push_back(SortKey{std::move(name), key.desc});
    }
    if (!project.items.empty()) plan->ops.push_back(std::move(project));
    plan->ops.push_back(std::move(sort));
    return Status::OK();
  }

  void Compute(const std::string& name, ExprPtr expr, PlanOp* project) {
    time_[name] = expr->IsField() && IsTime(expr->name);
    project->items.push_back(ProjectItem{name, std::move(expr)});
  }

  bool IsTime(const std::string& name) const {
    auto it = time_.find(name);
    return it != time_.end() ? it->second : IsTimeField(name);
  }

  std::optional<std::vector<std::string>> display_;
  std::vector<std::string> fields_;
  std::map<std::string, bool> time_;  // computed name -> holds a time
  int hidden_ = 0;
};

}  // namespace

Result<Plan> BuildPlan(QueryAst&& ast, const QueryRequest& req, int64_t now_ns,
                       const PlannerOptions& options) {
  Plan plan;
  RETURN_IF_ERROR(Translator().Run(std::move(ast), &plan));
  const std::vector<const Expr*> conjuncts = ScanConjuncts(plan);
  plan.id_lookup = IsIdLookup(conjuncts, options.id_fields);
  ChooseTimeRange(conjuncts, req, now_ns, options.default_window_ns, plan.id_lookup, &plan.scan);
  plan.scan.predicates = ExtractPrunePredicates(conjuncts);
  if (options.default_time_order) plan.default_order = AddDefaultOrder(&plan, plan.id_lookup);
  CapRows(&plan, req.max_rows);
  FuseTopN(&plan);
  plan.scan.columns = ScanColumns(plan);
  return plan;
}

}  // namespace vigil::query
