#include "query/executor.h"

#include "query/operators.h"

namespace vigil::query {
namespace {

// Whether rows after this operator are no longer "the events that matched".
bool EndsMatching(PlanOp::Kind k) {
  return k == PlanOp::Kind::kSort || k == PlanOp::Kind::kLimit || k == PlanOp::Kind::kAggregate ||
         k == PlanOp::Kind::kDedup;
}

// Chains the operators for plan.ops, last first, with a row counter in front of the
// first sort, limit, aggregate or dedup (so "matched" means "passed the filters").
OperatorPtr BuildPipeline(const Plan& plan, ExecContext* ctx, QueryResult* result) {
  size_t first_breaker = plan.ops.size();
  for (size_t i = 0; i < plan.ops.size() && first_breaker == plan.ops.size(); ++i) {
    if (EndsMatching(plan.ops[i].kind)) first_breaker = i;
  }
  uint64_t* matched = &result->stats.rows_matched;
  OperatorPtr head = MakeCollect(plan.output, &result->rows);
  if (first_breaker == plan.ops.size()) head = MakeCount(matched, std::move(head));
  for (size_t i = plan.ops.size(); i-- > 0;) {
    const PlanOp& op = plan.ops[i];
    switch (op.kind) {
      case PlanOp::Kind::kFilter:
        head = MakeFilter(*op.predicate, std::move(head));
        break;
      case PlanOp::Kind::kProject:
        head = MakeProject(op.items, std::move(head));
        break;
      case PlanOp::Kind::kSort:
        head = MakeSort(op.keys, op.limit, ctx, std::move(head));
        break;
      case PlanOp::Kind::kLimit:
        head = MakeLimit(op.limit.value_or(0), std::move(head));
        break;
      case PlanOp::Kind::kAggregate:
        head = MakeAggregate(op, ctx, std::move(head));
        break;
      case PlanOp::Kind::kParse:
        head = MakeParse(op, std::move(head));
        break;
      case PlanOp::Kind::kDedup:
        head = MakeDedup(op.names, std::move(head));
        break;
    }
    if (i == first_breaker) head = MakeCount(matched, std::move(head));
  }
  return head;
}

}  // namespace

Result<QueryResult> ExecutePlan(const Plan& plan, Store& store) {
  QueryResult result;
  result.columns = plan.output;
  result.stats.start_ns = plan.scan.min_ts;
  result.stats.end_ns = plan.scan.max_ts;
  ExecContext ctx;
  ctx.memory_budget_bytes = plan.memory_budget_bytes;
  if (plan.timeout_ms > 0) {
    ctx.timeout_ms = plan.timeout_ms;
    ctx.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(plan.timeout_ms);
  }
  OperatorPtr head = BuildPipeline(plan, &ctx, &result);
  if (plan.table) {
    TableRequest tr{plan.scan.min_ts, plan.scan.max_ts, plan.explicit_range, plan.now_ns};
    ASSIGN_OR_RETURN(Batch rows, plan.table(tr));
    result.stats.scan.rows_scanned = rows.rows;
    if (rows.rows > 0) head->Push(Frame::Of(std::move(rows)));
  } else if (plan.scan.min_ts <= plan.scan.max_ts) {
    // The operators run on the scanning thread, in block order; the store decodes the
    // next blocks on a helper thread meanwhile (EmbeddedStore::ScanPart).
    ScanSink sink = [&](Batch&& batch) {
      if (batch.rows == 0) return true;
      return !ctx.Expired() && head->Push(Frame::Of(std::move(batch)));
    };
    RETURN_IF_ERROR(store.Scan(plan.scan, sink, &result.stats.scan));
  }
  head->Finish();
  RETURN_IF_ERROR(ctx.status);
  return result;
}

}  // namespace vigil::query
