// Spool: the shipper's bounded on-disk FIFO of lines, filled while the circuit breaker
// is open and replayed in order once it closes.
//
// Layout: segment files `<dir>/spool-<segment number, 20 digits>` holding whole lines
// ('\n'-terminated) back to back. A position is (segment, byte offset). The reader
// position (head) and writer position (tail) are kept by the caller's checkpoint; Open
// trusts them: bytes past the tail (appended but never checkpointed) are cut off and
// segments before the head are deleted.
//
// Bound: when the segments hold more than max_bytes, whole segments are dropped oldest
// first (so the spool can exceed the bound by up to one segment); dropped lines are
// counted. Thread-safety: none.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil {

struct SpoolPos {
  uint64_t segment = 1;
  uint64_t offset = 0;
  friend auto operator<=>(const SpoolPos&, const SpoolPos&) = default;
};

class Spool {
 public:
  // Opens the spool in `dir` (created if needed) with the checkpointed head and tail.
  // REQUIRES: head <= tail. Returns IOError when the directory cannot be used.
  static Result<std::unique_ptr<Spool>> Open(const std::string& dir, uint64_t max_bytes,
                                             SpoolPos head, SpoolPos tail);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends whole lines (REQUIRES: `lines` is empty or ends in '\n'). Drops the oldest
  // segments when over the bound; *dropped_lines (may be null) gets how many lines
  // that dropped. Not durable until Sync().
  Status Append(std::string_view lines, uint64_t* dropped_lines);
  Status Sync();

  // Appends whole lines from the head to *out, about max_bytes (at least one line),
  // without moving the head; *next is the position after them, *lines their count.
  Status Peek(size_t max_bytes, std::string* out, SpoolPos* next, uint64_t* lines) const;
  // Moves the head to `pos` (REQUIRES: head <= pos <= tail) and deletes segments that
  // are wholly before it. A pos before the head (it was dropped meanwhile) is ignored.
  Status Consume(SpoolPos pos);

  bool empty() const { return bytes() == 0; }
  SpoolPos head() const { return head_; }
  SpoolPos tail() const { return tail_; }
  // Bytes between head and tail.
  uint64_t bytes() const;

 private:
  Spool(std::string dir, uint64_t max_bytes, uint64_t segment_bytes)
      : dir_(std::move(dir)), max_bytes_(max_bytes), segment_bytes_(segment_bytes) {}
  std::string SegmentPath(uint64_t segment) const;
  Status DropOldest(uint64_t* dropped_lines);
  Status OpenTail();

  std::string dir_;
  uint64_t max_bytes_;
  uint64_t segment_bytes_;
  SpoolPos head_, tail_;
  // Size of every segment from head_.segment to tail_.segment (tail's = tail_.offset).
  std::vector<uint64_t> sizes_;
  int tail_fd_ = -1;
  bool dir_dirty_ = false;  // a segment was created or deleted since the last Sync
};

}  // namespace vigil
