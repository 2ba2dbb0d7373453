#include "query/executor.h"

#include <optional>
#include <thread>

#include "query/batch_pipe.h"
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

// Whether a Limit comes before any Sort or Aggregate, so the scan may stop early: then
// batches are pushed on the scanning thread, which stops at the first batch not needed.
bool MayStopEarly(const Plan& plan) {
  for (const PlanOp& op : plan.ops) {
    if (op.kind == PlanOp::Kind::kLimit) return true;
    if (op.kind == PlanOp::Kind::kSort || op.kind == PlanOp::Kind::kAggregate) return false;
  }
  return false;
}

// Scans on this thread and runs the operators on a worker, overlapping the store's
// decoding with the query's work (two cores' worth on a full scan).
Status ScanPipelined(const Plan& plan, Store& store, Operator& head, ExecContext& ctx,
                     ScanStats* stats) {
  BatchPipe pipe(4);
  std::thread worker([&] {
    while (std::optional<Batch> b = pipe.Pop()) {
      if (ctx.Expired() || !head.Push(Frame::Of(std::move(*b)))) {
        pipe.Stop();
        return;
      }
    }
  });
  ScanSink sink = [&](Batch&& batch) { return batch.rows == 0 || pipe.Push(std::move(batch)); };
  Status s = store.Scan(plan.scan, sink, stats);
  pipe.Close();
  worker.join();
  return s;
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
  } else if (plan.scan.min_ts <= plan.scan.max_ts && MayStopEarly(plan)) {
    ScanSink sink = [&](Batch&& batch) {
      if (batch.rows == 0) return true;
      return !ctx.Expired() && head->Push(Frame::Of(std::move(batch)));
    };
    RETURN_IF_ERROR(store.Scan(plan.scan, sink, &result.stats.scan));
  } else if (plan.scan.min_ts <= plan.scan.max_ts) {
    RETURN_IF_ERROR(ScanPipelined(plan, store, *head, ctx, &result.stats.scan));
  }
  head->Finish();
  RETURN_IF_ERROR(ctx.status);
  return result;
}

}  // namespace vigil::query
