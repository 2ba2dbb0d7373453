// Which parts of a partition to merge next: a size-tiered policy, so each row is
// rewritten about log4(parts) times instead of once per merge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil {

struct MergePolicy {
  size_t min_inputs = 4;    // a tier merges once it has this many parts
  size_t max_inputs = 10;
  double tier_ratio = 2.5;  // parts within this size ratio belong to one tier
  size_t max_parts = 24;    // beyond this, merge the smallest regardless of tiers
};

// Given the row counts of a partition's parts, returns the indexes of the parts to merge
// next (empty: nothing to do). With `all`, every part once there are two or more.
std::vector<size_t> PickMergeInputs(const std::vector<uint64_t>& rows, bool all,
                                    const MergePolicy& policy = {});

}  // namespace vigil
