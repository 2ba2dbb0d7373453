// Deciding what a scan can skip: whole blocks of a part (from their min/max and bloom
// filters) and rows of a memtable batch (evaluated exactly).
#pragma once

#include <cstdint>
#include <string_view>
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

// Whether `p` searches the rendered event: kContains on `@message`, which a JSON event
// renders from all its fields. The planner sends it only for text that can match only
// inside one key or string value (MatchesOnlyInsideStrings in core/json_render.h).
bool IsEventSearch(const PrunePredicate& p);
// Whether the store must read column (name, type) to test `p`: the named column, or for
// an event search every String field of the event (and a stored `@message`) plus any
// field whose name holds the text. Thread-safe.
bool PredicateReads(const PrunePredicate& p, std::string_view name, Type type);
// For an event search: whether a field's name (as rendered) holds the text, so every row
// with that field is a candidate.
bool EventSearchNameMatches(const PrunePredicate& p, std::string_view name);

// Rows of `batch` in the time range that satisfy every predicate (exactly: a row not
// returned cannot match). Thread-safe.
std::vector<uint32_t> MatchingRows(const Batch& batch, const ScanSpec& spec);

}  // namespace vigil
