// The order of rows inside parts: by @tenant (absent sorts as ""), then @timestamp.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/batch.h"

namespace vigil {

struct RowKey {
  std::string_view tenant;
  int64_t ts;
  bool operator<(const RowKey& o) const {
    int c = tenant.compare(o.tenant);
    return c != 0 ? c < 0 : ts < o.ts;
  }
  bool operator<=(const RowKey& o) const { return !(o < *this); }
};

// Reads row keys out of a batch. The batch must outlive the accessor.
class RowKeys {
 public:
  explicit RowKeys(const Batch& b)
      : tenant_(b.Find("@tenant", Type::kString)), ts_(b.Find("@timestamp", Type::kInt)) {}
  RowKey operator()(size_t row) const {
    std::string_view t = tenant_ && tenant_->valid[row] ? tenant_->strs[row] : std::string_view();
    return {t, ts_ ? ts_->ints[row] : 0};
  }

 private:
  const Column* tenant_;
  const Column* ts_;
};

// Copies rows of several source batches into one output batch, with each source's
// column mapping worked out once (when it is set) instead of once per row. Output
// columns are the union of every source's; rows without a value get nulls.
class RowAppender {
 public:
  explicit RowAppender(Batch* out) : out_(out) {}
  // Sets (or replaces) the source in `slot`. `src` must outlive its use in Append.
  void SetSource(size_t slot, const Batch& src);
  // Appends row `row` of the source in `slot`.
  void Append(size_t slot, size_t row);
  struct Ref {
    uint32_t slot, row;
  };
  // Appends many rows, one output column at a time (cache-friendlier than Append).
  void AppendRefs(const std::vector<Ref>& refs);
  // Empties the output but keeps its columns (and so every mapping) for the next block.
  void ClearRows();

 private:
  Batch* out_;
  std::vector<std::vector<const Column*>> maps_;  // per slot, per output column
};

}  // namespace vigil
