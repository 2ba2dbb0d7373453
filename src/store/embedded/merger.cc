#include "store/embedded/merger.h"

#include <algorithm>
#include <queue>

#include "store/embedded/row_order.h"

namespace vigil {

namespace {

constexpr size_t kBlockRows = 8192;

// Walks the rows of one part in order, one decoded block at a time.
struct Cursor {
  const Part* part;
  size_t block = 0;
  size_t row = 0;
  Batch batch;
  std::unique_ptr<RowKeys> keys;

  Status Load() {
    ASSIGN_OR_RETURN(batch, part->ReadBlock(block, nullptr, nullptr));
    keys = std::make_unique<RowKeys>(batch);
    row = 0;
    return Status::OK();
  }
  bool Done() const { return block >= part->meta().blocks.size(); }
  RowKey Key() const { return (*keys)(row); }
  // Moves to the next row; loads the next block when this one is used up.
  Status Advance() {
    if (++row < batch.rows) return Status::OK();
    ++block;
    return Done() ? Status::OK() : Load();
  }
};

PartMeta MergedHeader(const std::vector<std::shared_ptr<Part>>& inputs, uint64_t id) {
  PartMeta h;
  h.id = id;
  h.min_lsn = UINT64_MAX;
  for (const auto& p : inputs) {
    const PartMeta& m = p->meta();
    h.level = std::max(h.level, m.level + 1);
    h.min_lsn = std::min(h.min_lsn, m.min_lsn);
    h.max_lsn = std::max(h.max_lsn, m.max_lsn);
    h.replaces.push_back(m.id);
  }
  return h;
}

}  // namespace

Result<PartMeta> MergeParts(const std::vector<std::shared_ptr<Part>>& inputs,
                            const std::string& partition_dir, uint64_t new_id,
                            const PartWriterOptions& options, const std::atomic<bool>* cancel) {
  ASSIGN_OR_RETURN(auto writer,
                   PartWriter::Create(partition_dir, MergedHeader(inputs, new_id), options));
  std::vector<Cursor> cursors;
  cursors.reserve(inputs.size());
  for (const auto& p : inputs) {
    if (p->meta().blocks.empty()) continue;
    Cursor& c = cursors.emplace_back();
    c.part = p.get();
    RETURN_IF_ERROR(c.Load());
  }
  auto later = [&](size_t a, size_t b) { return cursors[b].Key() < cursors[a].Key(); };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (size_t i = 0; i < cursors.size(); ++i) heap.push(i);

  Batch out;
  RowAppender appender(&out);
  for (size_t i = 0; i < cursors.size(); ++i) appender.SetSource(i, cursors[i].batch);
  while (!heap.empty()) {
    size_t i = heap.top();
    heap.pop();
    Cursor& c = cursors[i];
    // Take the run of rows that sort before the next cursor's head.
    bool more = true;
    do {
      appender.Append(i, c.row);
      size_t block_before = c.block;
      RETURN_IF_ERROR(c.Advance());
      if (c.Done()) more = false;
      if (out.rows >= kBlockRows) {
        if (cancel && cancel->load()) return Status::Unavailable("merge cancelled");
        RETURN_IF_ERROR(writer->WriteBlock(out, 0, out.rows));
        appender.ClearRows();
      }
      if (!more) break;
      if (c.block != block_before) appender.SetSource(i, c.batch);
    } while (heap.empty() || c.Key() <= cursors[heap.top()].Key());
    if (more) heap.push(i);
  }
  if (out.rows > 0) RETURN_IF_ERROR(writer->WriteBlock(out, 0, out.rows));
  return writer->Finish();
}

}  // namespace vigil
