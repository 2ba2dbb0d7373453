// Aggregate functions of `stats` (and SQL): a table of definitions, each with a factory
// for its per-group state. The Aggregate operator (aggregate_op.cc) evaluates each
// aggregate's argument once per batch and hands the state the values with the group id
// of every row, so the update loops run over typed column arrays.
//
// Accuracy (docs/query.md): every aggregate is exact except
//   - pct: exact while a group holds at most kExactPctValues values; above that a
//     mergeable log-bucket sketch (DDSketch-style) with relative error <= 0.5%;
//   - count_distinct: exact up to kExactDistinct distinct values per group; above that
//     HyperLogLog with 2^14 registers (standard error 0.81%).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "query/evaluator.h"

namespace vigil::query {

inline constexpr size_t kExactPctValues = 10000;
inline constexpr size_t kExactDistinct = 10000;

// The per-group state of one aggregate, for every group of one Aggregate operator.
// Thread-safety: none.
class AggState {
 public:
  virtual ~AggState() = default;
  // Makes room for `groups` groups; new groups start empty.
  virtual void Resize(size_t groups) = 0;
  // Adds row sel[i] of `arg` to group gids[i], for every i. `ts` holds @timestamp for the
  // aggregates that need it (earliest, latest), else is empty.
  virtual void Update(const Vector& arg, const Vector& ts, const Sel& sel,
                      const uint32_t* gids) = 0;
  // The result of group `g` (null when the group saw no value the aggregate counts).
  virtual Value Result(size_t g) const = 0;
  // Bytes held, for the query memory budget.
  virtual size_t MemoryBytes() const = 0;
};

struct AggregateDef {
  // The literal second argument: none, a percentile 0..100 (pct), a fraction 0..1
  // (SQL quantile), or none with a fixed 0.5 (median).
  enum class Param { kNone, kPercent, kFraction, kHalf };

  std::string_view name;  // lower case
  size_t min_args = 0;
  size_t max_args = 0;
  Param param = Param::kNone;
  bool needs_timestamp = false;
  // The result is one of the argument's values, so a time argument gives a time.
  bool keeps_time = false;
  // A fresh state; `fraction` is the quantile in [0, 1] for percentiles, else 0.
  std::unique_ptr<AggState> (*make)(double fraction) = nullptr;
};

// The definition of `name` (lower case), or nullptr.
const AggregateDef* FindAggregate(std::string_view name);

}  // namespace vigil::query
