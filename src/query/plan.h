// Logical plan: what a query does, independent of the front end that wrote it.
//
// A plan is a scan followed by a pipeline of operators applied in order:
//
//   Scan(time range, columns, pruning predicates)
//     -> Filter | Project | Sort (optionally top-N) | Limit ...
//     -> Output(columns)
//
// Logs Insights commands map one to one onto operators (filter -> Filter,
// fields/display -> Project, sort -> Sort, limit -> Limit); the planner rules
// (planner_rules.h) then fill in the scan and rewrite the pipeline (default ordering,
// top-N). `stats` becomes an Aggregate (and a Project for items computed from
// aggregates), `parse` a Parse, `dedup` a Dedup. Operators that must see all their
// input before emitting (Sort, Aggregate) are pipeline breakers, and the executor runs
// whatever follows them on their output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "query/ast.h"
#include "query/query.h"
#include "query/views.h"
#include "store/store.h"

namespace vigil::query {

// A column computed by Project: `name` = `expr`. Items that merely name a field
// (`fields status`) compute nothing and are not listed.
struct ProjectItem {
  std::string name;
  ExprPtr expr;
};

// One aggregate of an Aggregate operator: `name` = func(arg) per group.
struct AggregateItem {
  std::string name;
  std::string func;  // lower case, an entry of aggregates.h
  ExprPtr arg;       // the argument; nullptr for count() / count(*)
  double fraction = 0;  // percentiles: the quantile in [0, 1]

  AggregateItem() = default;
  AggregateItem(AggregateItem&&) = default;
  AggregateItem& operator=(AggregateItem&&) = default;
};

struct SortKey {
  std::string name;  // a field or a column computed earlier in the pipeline
  bool desc = false;
  bool operator==(const SortKey&) const = default;
};

struct PlanOp {
  enum class Kind {
    kFilter,   // keep rows where `predicate` holds
    kProject,  // compute `items` as new columns (shadowing fields of the same name)
    kSort,     // order rows by `keys` (nulls last); with `limit`, keep only the first n
    kLimit,    // keep the first `limit` rows
    // one row per distinct value of the `items` (group keys: name = expr), with the
    // `aggs` computed over its rows; no items: one row over all input (even none)
    kAggregate,
    kParse,    // `items[0].expr` parsed by `regex` into the string columns `names`
    kDedup,    // keep the first row of each combination of the `names` fields
  };
  Kind kind = Kind::kFilter;
  SourcePos pos;  // of the command, for errors found while running
  ExprPtr predicate;
  std::vector<ProjectItem> items;
  std::vector<SortKey> keys;
  std::optional<uint64_t> limit;
  std::vector<AggregateItem> aggs;
  std::vector<std::string> names;
  ExprPtr regex;  // kParse: a bound kRegex node

  bool IsBreaker() const { return kind == Kind::kSort || kind == Kind::kAggregate; }
};

struct Plan {
  ScanSpec scan;
  // Set when the query starts from a table view: its rows replace the store scan (the
  // scan's time range is still computed and handed to the table).
  TableFn table;
  std::string table_name;
  bool explicit_range = false;  // the request gave start or end
  int64_t now_ns = 0;
  // Memory the query's breakers (Aggregate, Sort) may hold; beyond it the query fails
  // with ResourceExhausted instead of exhausting the server.
  size_t memory_budget_bytes = size_t{256} << 20;
  // Execution time limit in milliseconds (0: none): beyond it the query fails with
  // ResourceExhausted.
  int64_t timeout_ms = 0;
  std::vector<PlanOp> ops;
  std::vector<ResultColumn> output;
  // Facts the planner found, reported for tests and `explain`.
  bool id_lookup = false;      // a top-level `<id field> = "..."` conjunct
  bool default_order = false;  // ordering was not given by the query

  // A readable, stable rendering for tests and debugging, one operator per line.
  std::string ToString() const;
};

}  // namespace vigil::query
