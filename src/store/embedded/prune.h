// Deciding what a scan can skip: whole blocks of a part (from their min/max and bloom
// filters) and rows of a memtable batch (evaluated exactly).
#pragma once

#include <cstdint>
#include <vector>

#include "core/batch.h"
#include "store/embedded/part_meta.h"
#include "store/store.h"

namespace vigil {

enum class BlockVerdict { kRead, kSkipTime, kSkipMinMax, kSkipBloom };

// Whether block `b` of part `m` may hold rows matching `spec`. Conservative: kRead when
// unsure. Thread-safe.
BlockVerdict CheckBlock(const PartMeta& m, const BlockMeta& b, const ScanSpec& spec);

// Whether a value of `type` can ever satisfy `p` (strings only string literals, numbers
// and booleans only numeric ones). A row passing `p` has no value of another type in
// p.column, so a scan need not decode such columns at all. Thread-safe.
bool PredicateMayMatchType(const PrunePredicate& p, Type type);

// Rows of `batch` in the time range that satisfy every predicate (exactly: a row not
// returned cannot match). Thread-safe.
std::vector<uint32_t> MatchingRows(const Batch& batch, const ScanSpec& spec);

}  // namespace vigil
