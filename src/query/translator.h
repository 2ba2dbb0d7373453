// Translator: the first step of BuildPlan (planner.h). Turns bound commands into plan
// operators, one command at a time, and works out the output columns. Internal to the
// query module; split over planner.cc (commands), planner_stats.cc (stats) and
// planner_parse.cc (parse).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "query/ast.h"
#include "query/plan.h"
#include "query/planner.h"

namespace vigil::query {

class Translator {
 public:
  explicit Translator(const PlannerOptions& options) : options_(options) {}

  Status Run(QueryAst&& ast, Plan* plan);

 private:
  Status Translate(Command& cmd, Plan* plan);
  Status Source(const Command& cmd, Plan* plan);
  Status Filter(Command& cmd, Plan* plan);
  Status Select(Command& cmd, Plan* plan);
  Status Sort(Command& cmd, Plan* plan);
  Status Dedup(Command& cmd, Plan* plan);
  Status Parse(Command& cmd, Plan* plan);  // planner_parse.cc
  Status Stats(Command& cmd, Plan* plan);  // planner_stats.cc
  Status AddAggregate(const std::string& name, Expr& call, PlanOp* agg);
  Status ExtractAggregates(ExprPtr* e, PlanOp* agg, int* found);

  void Compute(const std::string& name, ExprPtr expr, PlanOp* project);
  bool IsTime(const std::string& name) const;
  bool IsTimeExpr(const Expr& e) const;
  // After a `stats`: rewrites references to its columns written as the aggregate
  // (`sort count(*) desc`) or by the function's name alone (`sort count desc`, when only
  // one column uses that function) into field references.
  // Inside a new `stats` (`in_stats`), aggregate calls are its own and stay.
  void ResolveStatsNames(ExprPtr* e, bool in_stats = false) const;

  const PlannerOptions& options_;
  std::optional<std::vector<std::string>> display_;
  std::vector<std::string> fields_;
  std::vector<std::string> table_columns_;  // a table view's default output
  std::map<std::string, bool> time_;  // computed name -> holds a time
  int hidden_ = 0;
  bool aggregated_ = false;
  std::set<std::string> columns_;                // after stats: the columns there are
  std::map<std::string, std::string> by_text_;   // canonical aggregate text -> column
  std::map<std::string, std::string> by_func_;   // function -> column ("" when ambiguous)
  int view_depth_ = 0;
};

}  // namespace vigil::query
