#include "store/embedded/memtable.h"

#include <algorithm>

namespace vigil {

void MemTable::Insert(Chunk batch, uint64_t lsn, int64_t min_ts, int64_t max_ts) {
  rows_ += batch->rows;
  bytes_ += batch->MemoryBytes();
  min_lsn_ = min_lsn_ == 0 ? lsn : std::min(min_lsn_, lsn);
  max_lsn_ = std::max(max_lsn_, lsn);
  min_ts_ = std::min(min_ts_, min_ts);
  max_ts_ = std::max(max_ts_, max_ts);
  chunks_.push_back(std::move(batch));
}

}  // namespace vigil
