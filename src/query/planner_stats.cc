// Translation of `stats` (Translator in translator.h): group keys and aggregates become
// an Aggregate operator; items computed from aggregates (`sum(x) / count(*)`) become a
// Project after it, over hidden columns `#aggN` holding the aggregates they use.
#include <cmath>

#include "query/aggregates.h"
#include "query/binder.h"
#include "query/translator.h"

namespace vigil::query {
namespace {

bool IsAggregateCall(const Expr& e) {
  return e.kind == ExprKind::kCall && FindAggregate(e.name) != nullptr;
}

bool ContainsAggregate(const Expr& e) {
  if (IsAggregateCall(e)) return true;
  for (const ExprPtr& a : e.args)
    if (ContainsAggregate(*a)) return true;
  return false;
}

// pct(x, 95) -> 0.95, quantile(x, 0.95) -> 0.95, median(x) -> 0.5.
Result<double> Fraction(const AggregateDef& def, const Expr& call) {
  if (def.param == AggregateDef::Param::kNone) return 0.0;
  if (def.param == AggregateDef::Param::kHalf) return 0.5;
  const Expr& p = *call.args[1];
  const Type t = p.literal.type();
  const bool percent = def.param == AggregateDef::Param::kPercent;
  const double max = percent ? 100 : 1;
  double v = -1;
  if (p.IsLiteral() && t == Type::kInt) v = static_cast<double>(std::get<int64_t>(p.literal.v));
  if (p.IsLiteral() && t == Type::kFloat) v = std::get<double>(p.literal.v);
  if (!(v >= 0 && v <= max)) {
    return ErrorAt(p.pos, call.name + "() needs a number from 0 to " + (percent ? "100" : "1") +
                              " as its second argument");
  }
  return v / max;
}

}  // namespace

Status Translator::AddAggregate(const std::string& name, Expr& call, PlanOp* agg) {
  const AggregateDef& def = *FindAggregate(call.name);
  if (call.args.size() < def.min_args || call.args.size() > def.max_args) {
    std::string n = std::to_string(def.min_args);
    if (def.max_args != def.min_args) n += " or " + std::to_string(def.max_args);
    return ErrorAt(call.pos, call.name + "() takes " + n + " argument" +
                                 (def.max_args == 1 ? "" : "s") + ", found " +
                                 std::to_string(call.args.size()));
  }
  const std::string text = ExprToString(call);
  AggregateItem item;
  item.name = name;
  item.func = call.name;
  ASSIGN_OR_RETURN(item.fraction, Fraction(def, call));
  if (!call.args.empty()) {
    if (ContainsAggregate(*call.args[0])) {
      return ErrorAt(call.args[0]->pos, "aggregate functions cannot be nested");
    }
    RETURN_IF_ERROR(BindExpr(ExprRole::kValue, &call.args[0]));
    item.arg = std::move(call.args[0]);
  }
  time_[name] = def.keeps_time && item.arg != nullptr && IsTimeExpr(*item.arg);
  by_text_[text] = name;
  auto [it, added] = by_func_.emplace(item.func, name);
  if (!added && it->second != name) it->second.clear();  // ambiguous
  agg->aggs.push_back(std::move(item));
  return Status::OK();
}

// Replaces every aggregate call inside `*e` with a reference to a hidden column.
Status Translator::ExtractAggregates(ExprPtr* e, PlanOp* agg, int* found) {
  Expr& x = **e;
  if (!IsAggregateCall(x)) {
    for (ExprPtr& a : x.args) RETURN_IF_ERROR(ExtractAggregates(&a, agg, found));
    return Status::OK();
  }
  const std::string hidden = "#agg" + std::to_string(++hidden_);
  RETURN_IF_ERROR(AddAggregate(hidden, x, agg));
  ExprPtr ref = MakeField(hidden, x.pos);
  ref->begin = x.begin;
  ref->end = x.end;
  *e = std::move(ref);
  ++*found;
  return Status::OK();
}

Status Translator::Stats(Command& cmd, Plan* plan) {
  PlanOp agg, post;
  agg.kind = PlanOp::Kind::kAggregate;
  agg.pos = cmd.pos;
  post.kind = PlanOp::Kind::kProject;
  std::vector<std::string> names;
  auto add_name = [&](const std::string& n, SourcePos pos) -> Status {
    if (std::find(names.begin(), names.end(), n) != names.end()) {
      return ErrorAt(pos, "duplicate column name '" + n + "' in 'stats' (use 'as' to rename)");
    }
    names.push_back(n);
    return Status::OK();
  };
  for (SelectItem& key : cmd.group) ResolveStatsNames(&key.expr);  // an earlier stats' names
  for (SelectItem& item : cmd.items) ResolveStatsNames(&item.expr, /*in_stats=*/true);
  by_text_.clear();
  by_func_.clear();
  for (SelectItem& key : cmd.group) {
    RETURN_IF_ERROR(BindExpr(ExprRole::kValue, &key.expr));
    RETURN_IF_ERROR(add_name(key.name, key.pos));
    time_[key.name] = IsTimeExpr(*key.expr);
    agg.items.push_back(ProjectItem{key.name, std::move(key.expr)});
  }
  for (SelectItem& item : cmd.items) {
    RETURN_IF_ERROR(add_name(item.name, item.pos));
    if (IsAggregateCall(*item.expr)) {
      RETURN_IF_ERROR(AddAggregate(item.name, *item.expr, &agg));
      continue;
    }
    int found = 0;
    RETURN_IF_ERROR(ExtractAggregates(&item.expr, &agg, &found));
    if (found == 0) {
      return ErrorAt(item.pos, "expected an aggregate function in 'stats' (count, sum, avg, "
                               "min, max, pct, ...), found '" + ExprToString(*item.expr) + "'");
    }
    RETURN_IF_ERROR(BindExpr(ExprRole::kValue, &item.expr));
    time_[item.name] = false;
    post.items.push_back(ProjectItem{item.name, std::move(item.expr)});
  }
  plan->ops.push_back(std::move(agg));
  if (!post.items.empty()) plan->ops.push_back(std::move(post));
  aggregated_ = true;
  columns_ = std::set<std::string>(names.begin(), names.end());
  fields_ = std::move(names);
  display_.reset();
  return Status::OK();
}

}  // namespace vigil::query
