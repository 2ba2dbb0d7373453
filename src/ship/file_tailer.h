// FileTailer: follows one log file by path, like `tail -F`, and hands out whole lines.
//
// - A file that does not exist yet is waited for.
// - Rotation by rename (app.log -> app.log.1, new app.log): the old file is read to its
//   end (a last partial line is completed with '\n'), then the new one from its start.
// - Rotation by copy-truncate: a file that shrank below the read offset is read again
//   from its start.
// - Restart from a TailPosition: if the file at `path` is no longer the one the
//   position names (it was rotated while the shipper was stopped), the rotated file is
//   looked up by device and inode in the same directory and finished first.
//
// Limits: lines that a copy-truncate rotation copies away before they are read are in
// the copy, not shipped; a file truncated and then refilled past the old offset between
// two reads is not noticed as truncated.
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil {

// How far a file has been handed out: the file's identity and the offset just past the
// last line handed out. dev = ino = 0 means "whatever is at path, from its start".
struct TailPosition {
  std::string path;
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t offset = 0;
};

class FileTailer {
 public:
  explicit FileTailer(TailPosition start);
  ~FileTailer();
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;

  // Appends whole lines (each ending in '\n') to *out until out holds about max_bytes
  // (always at least one line when one is available, however long) and returns how
  // many lines it appended; 0 when nothing new is there (or the file does not exist).
  // Returns IOError when reading fails for another reason than a missing file.
  Result<size_t> Read(std::string* out, size_t max_bytes);

  // Hands out a last line that lacks its '\n' (completing it) once the file is read to
  // its end; for input that is known to be complete (`--exit-at-eof`). Returns 0 or 1.
  size_t FinishPartialLine(std::string* out);

  // The position just past the last line handed out.
  TailPosition position() const;
  // Bytes in the file(s) not handed out yet (0 when the file does not exist).
  uint64_t Lag() const;
  // Human-readable notes about rotations, truncations and waiting, since the last call.
  std::vector<std::string> TakeNotes();

 private:
  bool OpenFirst();
  bool OpenPath();
  int FindRotated() const;
  size_t TakeLines(std::string* out, size_t max_bytes, bool at_least_one);
  Result<size_t> DrainAndSwitch(std::string* out);
  Status ReadMore(bool* eof);
  void Close();

  TailPosition start_;
  bool started_ = false;
  bool waiting_noted_ = false;
  int fd_ = -1;
  uint64_t dev_ = 0, ino_ = 0;
  uint64_t read_off_ = 0;  // file offset of the end of buf_
  std::string buf_;        // read but not handed out (the start of a line)
  std::unique_ptr<char[]> chunk_;
  std::vector<std::string> notes_;
};

}  // namespace vigil
