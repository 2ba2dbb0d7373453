#include "query/query.h"

#include <chrono>

#include "query/executor.h"
#include "query/parser.h"
#include "query/planner.h"

namespace vigil {
namespace {

int64_t NowNs(const QueryRequest& req) {
  if (req.now_ns != 0) return req.now_ns;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<query::Plan> MakePlan(const QueryRequest& req, const QueryOptions& options) {
  ASSIGN_OR_RETURN(query::QueryAst ast, query::ParseQuery(req.text));
  query::PlannerOptions planner;
  planner.id_fields = options.id_fields;
  planner.memory_budget_bytes = options.memory_budget_bytes;
  planner.timeout_ms = options.timeout_ms;
  planner.views = options.views;
  return query::BuildPlan(std::move(ast), req, NowNs(req), planner);
}

}  // namespace

Result<QueryResult> RunQuery(Store& store, const QueryRequest& req) {
  return RunQuery(store, req, QueryOptions{});
}

Result<QueryResult> RunQuery(Store& store, const QueryRequest& req, const QueryOptions& options) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  const auto started = Clock::now();
  ASSIGN_OR_RETURN(query::Plan plan, MakePlan(req, options));
  const auto planned = Clock::now();
  ASSIGN_OR_RETURN(QueryResult result, query::ExecutePlan(plan, store));
  const auto done = Clock::now();
  result.stats.plan_ms = ms(planned - started);
  result.stats.execute_ms = ms(done - planned);
  result.stats.elapsed_ms = ms(done - started);
  return result;
}

Result<std::string> ExplainQuery(const QueryRequest& req, const QueryOptions& options) {
  ASSIGN_OR_RETURN(query::Plan plan, MakePlan(req, options));
  return plan.ToString();
}

}  // namespace vigil
