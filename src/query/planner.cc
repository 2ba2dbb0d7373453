#include "query/planner.h"

#include <algorithm>

#include "core/batch.h"
#include "query/aggregates.h"
#include "query/binder.h"
#include "query/functions.h"
#include "query/parser.h"
#include "query/planner_rules.h"
#include "query/translator.h"

namespace vigil::query {

Status Translator::Run(QueryAst&& ast, Plan* plan) {
  for (Command& cmd : ast.commands) RETURN_IF_ERROR(Translate(cmd, plan));
  if (view_depth_ > 0) return Status::OK();
  std::vector<std::string> names = display_ ? *display_ : fields_;
  if (!display_ && fields_.empty() && !aggregated_) {
    names = table_columns_.empty()
                ? std::vector<std::string>{std::string(field::kTimestamp), std::string(field::kMessage)}
                : table_columns_;
  }
  for (const std::string& n : names) plan->output.push_back(ResultColumn{n, IsTime(n)});
  return Status::OK();
}

Status Translator::Translate(Command& cmd, Plan* plan) {
  switch (cmd.kind) {
    case Command::Kind::kSource:
      return Source(cmd, plan);
    case Command::Kind::kFilter:
      return Filter(cmd, plan);
    case Command::Kind::kFields:
    case Command::Kind::kDisplay:
      return Select(cmd, plan);
    case Command::Kind::kSort:
      return Sort(cmd, plan);
    case Command::Kind::kLimit: {
      PlanOp op;
      op.kind = PlanOp::Kind::kLimit;
      op.pos = cmd.pos;
      op.limit = cmd.limit;
      plan->ops.push_back(std::move(op));
      return Status::OK();
    }
    case Command::Kind::kStats:
      return Stats(cmd, plan);
    case Command::Kind::kParse:
      return Parse(cmd, plan);
    case Command::Kind::kDedup:
      return Dedup(cmd, plan);
  }
  return Status::OK();
}

// `source <view>`: the view's own commands run first.
Status Translator::Source(const Command& cmd, Plan* plan) {
  const ViewRegistry& views = options_.views != nullptr ? *options_.views : DefaultViews();
  std::optional<ViewDef> view = views.Find(cmd.pattern);
  if (!view) {
    std::string known;
    for (const std::string& n : views.Names()) known += (known.empty() ? "" : ", ") + n;
    return ErrorAt(cmd.pattern_pos, "unknown view '" + cmd.pattern + "'; views: " + known);
  }
  if (view->table) {
    if (!plan->ops.empty() || plan->table) {
      return ErrorAt(cmd.pattern_pos, "view '" + view->name + "' must be the query's first source");
    }
    plan->table = view->table;
    plan->table_name = view->name;
    table_columns_ = view->columns;
    for (const std::string& c : view->time_columns) time_[c] = true;
  }
  if (view->prefix.empty()) return Status::OK();
  if (view_depth_ >= 4) return ErrorAt(cmd.pattern_pos, "views nest too deeply");
  Result<QueryAst> ast = ParseQuery(view->prefix);
  if (!ast.ok()) return ErrorAt(cmd.pattern_pos, "in view '" + view->name + "': " + ast.status().message());
  ++view_depth_;
  Status s = Run(std::move(ast.value()), plan);
  --view_depth_;
  if (!s.ok()) return ErrorAt(cmd.pattern_pos, "in view '" + view->name + "': " + s.message());
  return Status::OK();
}

Status Translator::Filter(Command& cmd, Plan* plan) {
  ResolveStatsNames(&cmd.predicate);
  RETURN_IF_ERROR(BindExpr(ExprRole::kCondition, &cmd.predicate));
  PlanOp op;
  op.kind = PlanOp::Kind::kFilter;
  op.pos = cmd.pos;
  op.predicate = std::move(cmd.predicate);
  plan->ops.push_back(std::move(op));
  return Status::OK();
}

// `fields`/`display`: computed items become a Project; the names become output.
Status Translator::Select(Command& cmd, Plan* plan) {
  std::vector<std::string> names;
  PlanOp project;
  project.kind = PlanOp::Kind::kProject;
  for (SelectItem& item : cmd.items) {
    ResolveStatsNames(&item.expr);
    RETURN_IF_ERROR(BindExpr(ExprRole::kValue, &item.expr));
    if (std::find(names.begin(), names.end(), item.name) == names.end()) {
      names.push_back(item.name);
    }
    columns_.insert(item.name);
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
Status Translator::Sort(Command& cmd, Plan* plan) {
  PlanOp project, sort;
  project.kind = PlanOp::Kind::kProject;
  sort.kind = PlanOp::Kind::kSort;
  sort.pos = cmd.pos;
  for (SortItem& key : cmd.keys) {
    ResolveStatsNames(&key.expr);
    RETURN_IF_ERROR(BindExpr(ExprRole::kValue, &key.expr));
    std::string name = key.expr->IsField() ? key.expr->name : "#sort" + std::to_string(++hidden_);
    if (!key.expr->IsField()) Compute(name, std::move(key.expr), &project);
    sort.keys.push_back(SortKey{std::move(name), key.desc});
  }
  if (!project.items.empty()) plan->ops.push_back(std::move(project));
  plan->ops.push_back(std::move(sort));
  return Status::OK();
}

Status Translator::Dedup(Command& cmd, Plan* plan) {
  PlanOp op;
  op.kind = PlanOp::Kind::kDedup;
  op.pos = cmd.pos;
  for (SelectItem& item : cmd.items) {
    ResolveStatsNames(&item.expr);
    op.names.push_back(item.expr->name);
  }
  plan->ops.push_back(std::move(op));
  return Status::OK();
}

void Translator::Compute(const std::string& name, ExprPtr expr, PlanOp* project) {
  time_[name] = IsTimeExpr(*expr);
  project->items.push_back(ProjectItem{name, std::move(expr)});
}

bool Translator::IsTime(const std::string& name) const {
  auto it = time_.find(name);
  return it != time_.end() ? it->second : IsTimeField(name);
}

bool Translator::IsTimeExpr(const Expr& e) const {
  if (e.IsField()) return IsTime(e.name);
  if (e.kind != ExprKind::kCall) return false;
  const FunctionDef* f = FindFunction(e.name);
  return f != nullptr && f->returns_time;
}

void Translator::ResolveStatsNames(ExprPtr* e, bool in_stats) const {
  if (!aggregated_) return;
  Expr& x = **e;
  if (x.IsField()) {
    auto it = by_func_.find(x.name);
    if (!columns_.contains(x.name) && it != by_func_.end() && !it->second.empty()) {
      x.name = it->second;
    }
    return;
  }
  if (x.kind == ExprKind::kCall && !(in_stats && FindAggregate(x.name) != nullptr)) {
    auto it = by_text_.find(ExprToString(x));
    if (it != by_text_.end()) {
      ExprPtr field = MakeField(it->second, x.pos);
      field->begin = x.begin;
      field->end = x.end;
      *e = std::move(field);
      return;
    }
  }
  for (ExprPtr& a : x.args) ResolveStatsNames(&a, in_stats);
}

Result<Plan> BuildPlan(QueryAst&& ast, const QueryRequest& req, int64_t now_ns,
                       const PlannerOptions& options) {
  Plan plan;
  plan.memory_budget_bytes = options.memory_budget_bytes;
  plan.timeout_ms = options.timeout_ms;
  plan.now_ns = now_ns;
  plan.explicit_range = req.start_ns.has_value() || req.end_ns.has_value();
  bool time_order = options.default_time_order && ast.default_time_order;
  RETURN_IF_ERROR(Translator(options).Run(std::move(ast), &plan));
  if (plan.table) time_order = false;  // a table comes in its own order
  const std::vector<const Expr*> conjuncts = ScanConjuncts(plan);
  plan.id_lookup = IsIdLookup(conjuncts, options.id_fields);
  ChooseTimeRange(conjuncts, req, now_ns, options.default_window_ns, plan.id_lookup, &plan.scan);
  plan.scan.predicates = ExtractPrunePredicates(conjuncts);
  if (time_order) plan.default_order = AddDefaultOrder(&plan, plan.id_lookup);
  OrderGroups(&plan);
  CapRows(&plan, req.max_rows);
  FuseTopN(&plan);
  ChooseScanColumns(plan, &plan.scan);
  return plan;
}

}  // namespace vigil::query
