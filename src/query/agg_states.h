// Factories of the aggregate states defined outside aggregates.cc. Internal.
#pragma once

#include <memory>

#include "query/aggregates.h"

namespace vigil::query {

std::unique_ptr<AggState> MakeCountDistinct(double);  // agg_sketch.cc
std::unique_ptr<AggState> MakePercentile(double fraction);
std::unique_ptr<AggState> MakeEarliest(double);  // agg_order.cc
std::unique_ptr<AggState> MakeLatest(double);
std::unique_ptr<AggState> MakeSortsFirst(double);
std::unique_ptr<AggState> MakeSortsLast(double);

}  // namespace vigil::query
