// Merging parts of one partition into one part (a streaming k-way merge by row order,
// one decoded block per input in memory at a time).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/embedded/part.h"

namespace vigil {

// Writes a new part with id `new_id` into `partition_dir` holding every row of
// `inputs`, recording their ids in `replaces`. The inputs are not deleted.
// REQUIRES: inputs non-empty, all of the same partition. Thread-safe w.r.t. readers.
// When *cancel becomes true the merge stops with Unavailable and leaves nothing behind.
Result<PartMeta> MergeParts(const std::vector<std::shared_ptr<Part>>& inputs,
                            const std::string& partition_dir, uint64_t new_id,
                            const PartWriterOptions& options,
                            const std::atomic<bool>* cancel = nullptr);

}  // namespace vigil
