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
// top-N). A later `stats` becomes an Aggregate operator in the same list: operators that
// must see all their input before emitting (Sort, Aggregate) are pipeline breakers, and
// the executor runs whatever follows them on their output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "query/ast.h"
#include "query/query.h"
#include "store/store.h"

namespace vigil::query {

// A column computed by Project: `name` = `expr`. Items that merely name a field
// (`fields status`) compute nothing and are not listed.
struct ProjectItem {
  std::string name;
  ExprPtr expr;
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
  };
  Kind kind = Kind::kFilter;
  ExprPtr predicate;
  std::vector<ProjectItem> items;
  std::vector<SortKey> keys;
  std::optional<uint64_t> limit;

  bool IsBreaker() const { return kind == Kind::kSort; }
};

struct Plan {
  ScanSpec scan;
  std::vector<PlanOp> ops;
  std::vector<ResultColumn> output;
  // Facts the planner found, reported for tests and `explain`.
  bool id_lookup = false;      // a top-level `<id field> = "..."` conjunct
  bool default_order = false;  // ordering was not given by the query

  // A readable, stable rendering for tests and debugging, one operator per line.
  std::string ToString() const;
};

}  // namespace vigil::query
