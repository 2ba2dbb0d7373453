// StreamReader: whole lines from a pipe or terminal (stdin), without blocking.
// Thread-safety: none.
#pragma once

#include <string>

#include "core/status.h"

namespace vigil {

class StreamReader {
 public:
  explicit StreamReader(int fd) : fd_(fd) {}

  // Appends the whole lines that can be read now without blocking to *out, until it
  // holds about max_bytes; returns how many. At end of input a last partial line is
  // completed with '\n'. IOError when reading fails.
  Result<size_t> Read(std::string* out, size_t max_bytes);
  bool eof() const { return eof_ && buf_.empty(); }

 private:
  int fd_;
  bool eof_ = false;
  std::string buf_;
};

}  // namespace vigil
