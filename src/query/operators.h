// Physical operators: the executor's push-based pipeline.
//
// The executor turns each plan operator into one of these and chains them; the scan
// pushes Frames into the first, each pushes its output into the next, and the last
// (Collect) turns rows into Values. Streaming operators (filter, project, limit, parse,
// dedup) work on one frame at a time; Sort and Aggregate hold their input until Finish
// (pipeline breakers) and then push their output as one frame.
//
// Thread-safety: none; a pipeline belongs to one query on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/status.h"
#include "core/value.h"
#include "query/evaluator.h"
#include "query/plan.h"

namespace vigil::query {

// State shared by the operators of one query run.
struct ExecContext {
  // The first error an operator hit (e.g. the memory budget); it then returns false
  // from Push so the scan stops, and the executor returns this status.
  Status status;
  size_t memory_budget_bytes = size_t{256} << 20;
  // Steady-clock time after which the query fails (max: no limit), and its length for
  // the message.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  int64_t timeout_ms = 0;

  // Whether the deadline passed; if so, records the error (the first error stays).
  bool Expired() {
    if (std::chrono::steady_clock::now() < deadline) return false;
    if (status.ok()) {
      status = Status::ResourceExhausted("query timed out after " + std::to_string(timeout_ms) +
                                         " ms; narrow the time range or the filter");
    }
    return true;
  }
};

class Operator {
 public:
  virtual ~Operator() = default;
  // Consumes the selected rows of `frame`. Returns false when it wants no more input
  // (a limit was reached); the caller then stops pushing and calls Finish.
  virtual bool Push(Frame&& frame) = 0;
  // End of input: emits whatever was held back, then finishes the next operator.
  virtual void Finish() = 0;
};

using OperatorPtr = std::unique_ptr<Operator>;

// The plan's expressions are borrowed: the plan must outlive the operators.
OperatorPtr MakeFilter(const Expr& predicate, OperatorPtr next);
OperatorPtr MakeProject(const std::vector<ProjectItem>& items, OperatorPtr next);
OperatorPtr MakeLimit(uint64_t n, OperatorPtr next);
// Adds the number of rows pushed through it to *counter.
OperatorPtr MakeCount(uint64_t* counter, OperatorPtr next);
// Orders by `keys` (nulls last in either direction; numbers before strings; ties keep
// arrival order) and keeps the first `limit` rows. With a limit it holds at most about
// 2 * limit rows at a time and drops rows that cannot make the top early. Fails the query
// (ctx->status = ResourceExhausted) when the rows it holds outgrow the memory budget.
OperatorPtr MakeSort(std::vector<SortKey> keys, std::optional<uint64_t> limit, ExecContext* ctx,
                     OperatorPtr next);
// Groups rows by op.items and computes op.aggs per group (aggregate_op.cc). Fails the
// query (ctx->status = ResourceExhausted) when its groups outgrow the memory budget.
OperatorPtr MakeAggregate(const PlanOp& op, ExecContext* ctx, OperatorPtr next);
// Parses op.items[0].expr with op.regex into the String columns op.names (parse_op.cc);
// rows where it does not match get nulls.
OperatorPtr MakeParse(const PlanOp& op, OperatorPtr next);
// Passes on only the first row of each combination of values of `names` (dedup_op.cc);
// a row where any of them is missing always passes.
OperatorPtr MakeDedup(std::vector<std::string> names, OperatorPtr next);
// Appends one row of Values per selected row to *rows, with `columns` in order.
OperatorPtr MakeCollect(std::vector<ResultColumn> columns, std::vector<std::vector<Value>>* rows);

}  // namespace vigil::query
