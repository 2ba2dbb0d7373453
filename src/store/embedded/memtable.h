// MemTable: the batches appended since the last flush, kept as they arrived (each
// batch immutable and shared), so a scan snapshots it by copying pointers.
//
// Thread-safety: none; the store guards a MemTable with its mutex and hands scans a
// snapshot (Chunks()).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "core/batch.h"

namespace vigil {

class MemTable {
 public:
  using Chunk = std::shared_ptr<const Batch>;

  // Batches may arrive out of LSN order (concurrent appends); the store guarantees that
  // a memtable is frozen only once it holds a contiguous LSN range.
  void Insert(Chunk batch, uint64_t lsn, int64_t min_ts, int64_t max_ts);

  const std::vector<Chunk>& Chunks() const { return chunks_; }
  size_t rows() const { return rows_; }
  size_t bytes() const { return bytes_; }
  bool empty() const { return rows_ == 0; }
  uint64_t min_lsn() const { return min_lsn_; }
  uint64_t max_lsn() const { return max_lsn_; }
  int64_t min_ts() const { return min_ts_; }
  int64_t max_ts() const { return max_ts_; }

 private:
  std::vector<Chunk> chunks_;
  size_t rows_ = 0;
  size_t bytes_ = 0;
  uint64_t min_lsn_ = 0;
  uint64_t max_lsn_ = 0;
  int64_t min_ts_ = std::numeric_limits<int64_t>::max();
  int64_t max_ts_ = std::numeric_limits<int64_t>::min();
};

}  // namespace vigil
