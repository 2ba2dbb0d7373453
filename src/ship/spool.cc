#include "ship/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vigil {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMinSegment = 64 * 1024;
constexpr uint64_t kMaxSegment = 64ull << 20;

Status PRead(int fd, uint64_t off, size_t n, std::string* out, const std::string& path) {
  size_t have = out->size();
  out->resize(have + n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out->data() + have + got, n - got, static_cast<off_t>(off + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Status::FromErrno("read " + path);
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out->resize(have + got);
  return Status::OK();
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("write " + path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

uint64_t CountNewlines(std::string_view s) {
  return static_cast<uint64_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

std::string Spool::SegmentPath(uint64_t segment) const {
  char name[40];
  std::snprintf(name, sizeof name, "spool-%020llu", static_cast<unsigned long long>(segment));
  return dir_ + "/" + name;
}

Result<std::unique_ptr<Spool>> Spool::Open(const std::string& dir, uint64_t max_bytes,
                                           SpoolPos head, SpoolPos tail) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("create " + dir + ": " + ec.message());
  if (tail < head) tail = head;
  uint64_t seg = std::clamp<uint64_t>(max_bytes / 8, kMinSegment, kMaxSegment);
  std::unique_ptr<Spool> s(new Spool(dir, max_bytes, seg));
  // Segments outside [head, tail] are consumed or were never checkpointed.
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("spool-", 0) != 0) continue;
    uint64_t n = std::strtoull(name.c_str() + 6, nullptr, 10);
    if (n < head.segment || n > tail.segment) fs::remove(e.path(), ec);
  }
  s->head_ = head;
  s->tail_ = tail;
  for (uint64_t n = head.segment; n <= tail.segment; ++n) {
    struct stat st;
    std::string path = s->SegmentPath(n);
    uint64_t size = ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    if (n == tail.segment) {
      if (size > tail.offset && ::truncate(path.c_str(), static_cast<off_t>(tail.offset)) != 0)
        return Status::FromErrno("truncate " + path);
      size = std::min(size, tail.offset);
      s->tail_.offset = size;
    }
    s->sizes_.push_back(size);
  }
  s->head_.offset = std::min(s->head_.offset, s->sizes_.front());
  if (s->head_.segment == s->tail_.segment && s->head_.offset > s->tail_.offset)
    s->head_.offset = s->tail_.offset;
  RETURN_IF_ERROR(s->OpenTail());
  return s;
}

Spool::~Spool() {
  if (tail_fd_ >= 0) ::close(tail_fd_);
}

Status Spool::OpenTail() {
  if (tail_fd_ >= 0) ::close(tail_fd_);
  std::string path = SegmentPath(tail_.segment);
  tail_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (tail_fd_ < 0) return Status::FromErrno("open " + path);
  dir_dirty_ = true;
  return Status::OK();
}

uint64_t Spool::bytes() const {
  uint64_t total = 0;
  for (uint64_t s : sizes_) total += s;
  return total - head_.offset;
}

Status Spool::Append(std::string_view lines, uint64_t* dropped_lines) {
  if (dropped_lines) *dropped_lines = 0;
  if (lines.empty()) return Status::OK();
  while (!lines.empty()) {
    // Fill the tail segment up to its size with whole lines; a line longer than a
    // segment goes alone into a fresh one.
    size_t room = tail_.offset < segment_bytes_ ? static_cast<size_t>(segment_bytes_ - tail_.offset) : 0;
    size_t take = lines.size();
    if (take > room) {
      size_t cut = room > 0 ? lines.rfind('\n', room - 1) : std::string_view::npos;
      if (cut != std::string_view::npos) {
        take = cut + 1;
      } else if (tail_.offset == 0) {
        size_t nl = lines.find('\n');
        take = nl == std::string_view::npos ? lines.size() : nl + 1;
      } else {
        tail_ = {tail_.segment + 1, 0};
        sizes_.push_back(0);
        RETURN_IF_ERROR(OpenTail());
        continue;
      }
    }
    std::string_view piece = lines.substr(0, take);
    RETURN_IF_ERROR(WriteAll(tail_fd_, piece, SegmentPath(tail_.segment)));
    lines.remove_prefix(piece.size());
    tail_.offset += piece.size();
    sizes_.back() = tail_.offset;
    while (bytes() > max_bytes_ && head_.segment < tail_.segment) {
      uint64_t n = 0;
      RETURN_IF_ERROR(DropOldest(&n));
      if (dropped_lines) *dropped_lines += n;
    }
  }
  return Status::OK();
}

Status Spool::DropOldest(uint64_t* dropped_lines) {
  std::string path = SegmentPath(head_.segment);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  *dropped_lines = 0;
  if (fd >= 0) {
    std::string data;
    Status s = PRead(fd, head_.offset, sizes_.front() - head_.offset, &data, path);
    ::close(fd);
    RETURN_IF_ERROR(s);
    *dropped_lines = CountNewlines(data);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Status::FromErrno("unlink " + path);
  dir_dirty_ = true;
  sizes_.erase(sizes_.begin());
  head_ = {head_.segment + 1, 0};
  return Status::OK();
}

Status Spool::Sync() {
  if (tail_fd_ >= 0 && ::fdatasync(tail_fd_) != 0)
    return Status::FromErrno("fdatasync " + SegmentPath(tail_.segment));
  if (dir_dirty_) {
    int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("open " + dir_);
    int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return Status::FromErrno("fsync " + dir_);
    dir_dirty_ = false;
  }
  return Status::OK();
}

Status Spool::Peek(size_t max_bytes, std::string* out, SpoolPos* next, uint64_t* lines) const {
  SpoolPos pos = head_;
  size_t start = out->size();
  while (pos < tail_) {
    uint64_t size = sizes_[pos.segment - head_.segment];
    if (pos.offset >= size) {
      if (pos.segment == tail_.segment) break;
      pos = {pos.segment + 1, 0};
      continue;
    }
    size_t taken = out->size() - start;
    size_t room = taken < max_bytes ? max_bytes - taken : 0;
    if (room == 0) break;
    std::string path = SegmentPath(pos.segment);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("open " + path);
    std::string chunk;
    Status s = PRead(fd, pos.offset, static_cast<size_t>(std::min<uint64_t>(size - pos.offset, room)),
                     &chunk, path);
    size_t cut = s.ok() ? chunk.rfind('\n') : std::string::npos;
    if (s.ok() && cut == std::string::npos && taken == 0) {
      // Nothing whole within the budget: take the first line however long; segments
      // hold whole lines, so it ends within this segment.
      chunk.clear();
      s = PRead(fd, pos.offset, static_cast<size_t>(size - pos.offset), &chunk, path);
      cut = chunk.find('\n');
    }
    ::close(fd);
    RETURN_IF_ERROR(s);
    if (cut == std::string::npos) break;
    out->append(chunk, 0, cut + 1);
    pos.offset += cut + 1;
    if (cut + 1 < chunk.size()) break;  // the budget ended inside this segment
  }
  *next = pos;
  *lines = CountNewlines(std::string_view(*out).substr(start));
  return Status::OK();
}

Status Spool::Consume(SpoolPos pos) {
  if (pos <= head_) return Status::OK();
  if (tail_ < pos) pos = tail_;
  while (head_.segment < pos.segment) {
    std::string path = SegmentPath(head_.segment);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Status::FromErrno("unlink " + path);
    dir_dirty_ = true;
    sizes_.erase(sizes_.begin());
    head_ = {head_.segment + 1, 0};
  }
  head_ = pos;
  return Status::OK();
}

}  // namespace vigil
