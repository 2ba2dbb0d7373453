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
  uint64_t records = 0;   // records passed to fn
  uint64_t bytes = 0;     // payload bytes passed to fn
  uint64_t segments = 0;  // segment files read
  // A damaged tail (torn write, zero fill, bad CRC or length) ends the replay of the
  // last segment; damage in an earlier segment is reported as Corruption, unless the
  // next segment starts at the LSN right after the last good record (see healed_tails).
  bool truncated_tail = false;
  std::string tail_reason;  // "<file> at offset <n>: <what>" when truncated_tail
  // Damaged tails of older segments that a restarted writer already moved past: the
  // next segment begins exactly after the last good record, so no LSN is missing.
  uint64_t healed_tails = 0;
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
  // Errors: InvalidArgument for a payload over 256 MiB (nothing else changes); a failed
  // write or sync (IOError) is sticky, every later Append fails and the caller must
  // reopen the log after replaying it.
  Result<uint64_t> Append(std::string_view payload);

  // Deletes whole segments whose records all have LSN < `lsn` (they are in parts now).
  // Never deletes the active segment. Thread-safe. Returns IOError if an unlink or the
  // directory sync fails (segments before the failing one are gone).
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
// Errors: IOError, Corruption (damage before the last segment, overlapping segments).
// `stats` may be null.
Status ReplayWal(const std::string& dir, uint64_t from_lsn,
                 const std::function<Status(uint64_t, std::string_view)>& fn,
                 WalReplayStats* stats);

}  // namespace vigil
