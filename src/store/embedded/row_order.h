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

// Copies rows of source batches into a batch with a fixed set of columns, with the
// column mapping worked out once per source instead of once per row.
class RowAppender {
 public:
  explicit RowAppender(Batch* out) : out_(out) {}
  // Selects the source batch for the following Append calls.
  void SetSource(const Batch& src);
  void Append(size_t row);

 private:
  Batch* out_;
  std::vector<const Column*> map_;  // per output column: its source column or null
};

}  // namespace vigil
