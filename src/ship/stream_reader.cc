#include "ship/stream_reader.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil {

Result<size_t> StreamReader::Read(std::string* out, size_t max_bytes) {
  constexpr size_t kChunk = 256 * 1024;
  while (!eof_ && out->size() + buf_.size() < max_bytes) {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Status::FromErrno("poll stdin");
    if (r == 0) break;  // nothing to read now
    size_t have = buf_.size();
    buf_.resize(have + kChunk);
    ssize_t n = ::read(fd_, buf_.data() + have, kChunk);
    buf_.resize(have + (n > 0 ? static_cast<size_t>(n) : 0));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("read stdin");
    if (n == 0) eof_ = true;
  }
  if (eof_ && !buf_.empty() && buf_.back() != '\n') buf_.push_back('\n');
  size_t cut = buf_.rfind('\n');
  if (cut == std::string::npos) return size_t{0};
  out->append(buf_, 0, cut + 1);
  size_t lines = static_cast<size_t>(std::count(buf_.begin(), buf_.begin() + static_cast<long>(cut) + 1, '\n'));
  buf_.erase(0, cut + 1);
  return lines;
}

}  // namespace vigil
