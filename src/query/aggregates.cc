#include "query/aggregates.h"

#include <array>

namespace vigil::query {
namespace {

constexpr std::array<AggregateDef, 15> kAggregates = {{
    {"count", 0, 1, false, false, nullptr},
    {"count_distinct", 1, 1, false, false, nullptr},
    {"sum", 1, 1, false, false, nullptr},
    {"avg", 1, 1, false, false, nullptr},
    {"min", 1, 1, false, true, nullptr},
    {"max", 1, 1, false, true, nullptr},
    {"stddev", 1, 1, false, false, nullptr},
    {"pct", 2, 2, false, true, nullptr},
    {"earliest", 1, 1, true, true, nullptr},
    {"latest", 1, 1, true, true, nullptr},
    {"sortsfirst", 1, 1, false, true, nullptr},
    {"sortslast", 1, 1, false, true, nullptr},
    {"percentile", 2, 2, false, true, nullptr},
    {"quantile", 2, 2, false, true, nullptr},
    {"median", 1, 1, false, true, nullptr},
}};

}  // namespace

const AggregateDef* FindAggregate(std::string_view name) {
  for (const AggregateDef& a : kAggregates)
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace vigil::query
