// Write-ahead log. Format: docs/formats/wal.md.
//
// The log is a sequence of segment files `wal-<first lsn, 20 digits>.log` in one
// directory. Each record is framed as
//   [u32 length][u32 masked crc32c of (lsn, payload)][u64 lsn][payload: length bytes]
// (little-endian). LSNs are assigned by the writer, consecutive from 1.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

struct WalOptions {
  bool sync = true;                         // fdatasync before Append returns
  uint64_t segment_bytes = 64ull << 20;     // rotate after a segment grows past this
  // Observes each fsync's latency in seconds (for /metrics); may be empty.
  std::function<void(double)> on_fsync;
};

struct WalReplayStats {
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t segments = 0;
  // A damaged tail (torn write, zero fill, bad CRC or length) ends the replay of the
  // last segment; damage in an earlier segment is reported as Corruption.
  bool truncated_tail = false;
  std::string tail_reason;
};

class WalWriter {
 public:
  // Opens the log in `dir` for appending. The next record gets `next_lsn`, which must
  // be greater than every LSN already in the log (callers pass last replayed + 1).
  // Always starts a fresh segment, so a damaged tail of an older segment is never
  // appended to.
  static Result<std::unique_ptr<WalWriter>> Open(const std::string& dir, uint64_t next_lsn,
                                                 WalOptions options);
  ~WalWriter();

  // Appends one record and returns its LSN once it is durable (when options.sync).
  // Concurrent callers are group-committed: one fdatasync covers every record
  // written before it. Thread-safe. On error the record must be treated as not written.
  Result<uint64_t> Append(std::string_view payload);

  // Deletes whole segments whose records all have LSN < `lsn` (they are in parts now).
  // Never deletes the active segment. Thread-safe.
  Status DeleteSegmentsBefore(uint64_t lsn);

  // Bytes in all live segments.
  uint64_t TotalBytes() const;

  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

 private:
  struct Impl;
  explicit WalWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Replays every record with LSN >= from_lsn, oldest first, calling `fn(lsn, payload)`.
// `payload` is valid only during the call. Stops with fn's error if fn fails.
// Read-only: safe to run while a writer appends to the same directory (a record being
// written is seen as a torn tail). A missing directory replays nothing.
Status ReplayWal(const std::string& dir, uint64_t from_lsn,
                 const std::function<Status(uint64_t, std::string_view)>& fn,
                 WalReplayStats* stats);

}  // namespace vigil
