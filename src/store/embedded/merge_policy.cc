#include "store/embedded/merge_policy.h"

#include <algorithm>
#include <numeric>

namespace vigil {

std::vector<size_t> PickMergeInputs(const std::vector<uint64_t>& rows, bool all,
                                    const MergePolicy& policy) {
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  if (all) return rows.size() >= 2 ? order : std::vector<size_t>{};
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rows[a] < rows[b]; });
  // The smallest tier with enough parts: a run of parts no larger than ratio x its first.
  for (size_t i = 0; i < order.size(); ++i) {
    double limit = std::max<double>(1.0, static_cast<double>(rows[order[i]])) * policy.tier_ratio;
    size_t j = i;
    while (j < order.size() && static_cast<double>(rows[order[j]]) <= limit) ++j;
    if (j - i >= policy.min_inputs) {
      size_t n = std::min(j - i, policy.max_inputs);
      return {order.begin() + i, order.begin() + i + n};
    }
  }
  if (rows.size() > policy.max_parts)
    return {order.begin(), order.begin() + std::min(order.size(), policy.max_inputs)};
  return {};
}

}  // namespace vigil
