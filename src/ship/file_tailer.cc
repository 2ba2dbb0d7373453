#include "ship/file_tailer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vigil {

namespace {

constexpr size_t kReadChunk = 256 * 1024;

size_t CountLines(std::string_view s) {
  size_t n = 0;
  for (const char* p = s.data(); (p = static_cast<const char*>(
                                      std::memchr(p, '\n', s.data() + s.size() - p)));
       ++p)
    ++n;
  return n;
}

}  // namespace

FileTailer::FileTailer(TailPosition start) : start_(std::move(start)) {}

FileTailer::~FileTailer() { Close(); }

void FileTailer::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

TailPosition FileTailer::position() const {
  if (fd_ < 0) return start_;
  return {start_.path, dev_, ino_, read_off_ - buf_.size()};
}

std::vector<std::string> FileTailer::TakeNotes() { return std::exchange(notes_, {}); }

// A file in the directory of `path` with the start position's device and inode: the
// file we were reading, renamed by a rotation while we were stopped. -1 if none.
int FileTailer::FindRotated() const {
  std::filesystem::path dir = std::filesystem::path(start_.path).parent_path();
  if (dir.empty()) dir = ".";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return -1;
  int found = -1;
  while (dirent* e = ::readdir(d)) {
    struct stat st;
    std::string p = (dir / e->d_name).string();
    if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (static_cast<uint64_t>(st.st_dev) == start_.dev &&
        static_cast<uint64_t>(st.st_ino) == start_.ino) {
      found = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
      break;
    }
  }
  ::closedir(d);
  return found;
}

bool FileTailer::OpenPath() {
  int fd = ::open(start_.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  Close();
  fd_ = fd;
  dev_ = static_cast<uint64_t>(st.st_dev);
  ino_ = static_cast<uint64_t>(st.st_ino);
  read_off_ = 0;
  buf_.clear();
  return true;
}

// The first open: resume the checkpointed file if it is still around.
bool FileTailer::OpenFirst() {
  if (start_.ino == 0) return OpenPath();
  struct stat st;
  bool same = ::stat(start_.path.c_str(), &st) == 0 &&
              static_cast<uint64_t>(st.st_dev) == start_.dev &&
              static_cast<uint64_t>(st.st_ino) == start_.ino;
  int fd = same ? ::open(start_.path.c_str(), O_RDONLY | O_CLOEXEC) : FindRotated();
  if (fd < 0) {
    if (!OpenPath()) return false;
    notes_.push_back(start_.path + " was replaced while the shipper was stopped and its old file "
                     "is gone; reading the new one from its start");
    return true;
  }
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  dev_ = start_.dev;
  ino_ = start_.ino;
  read_off_ = start_.offset;
  if (static_cast<uint64_t>(st.st_size) < start_.offset) {
    notes_.push_back(start_.path + " shrank while the shipper was stopped (copy-truncate?); "
                     "reading it from its start");
    read_off_ = 0;
  }
  if (!same) notes_.push_back(start_.path + " was rotated while the shipper was stopped; "
                              "finishing the rotated file first");
  return true;
}

// Moves whole lines from buf_ to out, up to max_bytes in total (one line at least when
// at_least_one). Returns the number of lines moved.
size_t FileTailer::TakeLines(std::string* out, size_t max_bytes, bool at_least_one) {
  size_t room = out->size() < max_bytes ? max_bytes - out->size() : 0;
  size_t span = std::min(room, buf_.size());
  const void* nl = span ? ::memrchr(buf_.data(), '\n', span) : nullptr;
  size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - buf_.data()) + 1 : 0;
  if (take == 0 && at_least_one) {
    size_t first = buf_.find('\n');
    if (first != std::string::npos) take = first + 1;
  }
  if (take == 0) return 0;
  out->append(buf_, 0, take);
  size_t n = CountLines(std::string_view(buf_).substr(0, take));
  buf_.erase(0, take);
  return n;
}

Status FileTailer::ReadMore(bool* eof) {
  // Into a scratch chunk, not a grown buf_: an idle poll then costs a pread, not a
  // 256 KiB memset.
  if (!chunk_) chunk_ = std::make_unique<char[]>(kReadChunk);
  ssize_t n;
  do {
    n = ::pread(fd_, chunk_.get(), kReadChunk, static_cast<off_t>(read_off_));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status::FromErrno("read " + start_.path);
  buf_.append(chunk_.get(), static_cast<size_t>(n));
  read_off_ += static_cast<uint64_t>(n);
  *eof = n == 0;
  return Status::OK();
}

// The file at path is another one now: hand out what is left of ours (completing a
// last partial line), then switch to the new file.
Result<size_t> FileTailer::DrainAndSwitch(std::string* out) {
  for (bool eof = false; !eof;) RETURN_IF_ERROR(ReadMore(&eof));
  size_t lines = TakeLines(out, SIZE_MAX, false);
  if (!buf_.empty()) {
    out->append(buf_);
    out->push_back('\n');
    ++lines;
    buf_.clear();
  }
  if (OpenPath()) notes_.push_back(start_.path + " was rotated; following the new file");
  return lines;
}

Result<size_t> FileTailer::Read(std::string* out, size_t max_bytes) {
  if (fd_ < 0) {
    bool opened = started_ ? OpenPath() : OpenFirst();
    if (!opened) {
      if (!waiting_noted_) notes_.push_back("waiting for " + start_.path + " to appear");
      waiting_noted_ = true;
      return size_t{0};
    }
    started_ = true;
  }
  size_t lines = 0;
  for (;;) {
    lines += TakeLines(out, max_bytes, lines == 0);
    // A whole line left in buf_ did not fit the budget: stop, or buf_ would swallow the
    // rest of the file (and every later erase would move all of it).
    if (out->size() >= max_bytes || std::memchr(buf_.data(), '\n', buf_.size()) != nullptr)
      return lines;
    bool eof = false;
    RETURN_IF_ERROR(ReadMore(&eof));
    if (!eof) continue;
    struct stat at_path, ours;
    if (::stat(start_.path.c_str(), &at_path) == 0 &&
        (static_cast<uint64_t>(at_path.st_dev) != dev_ ||
         static_cast<uint64_t>(at_path.st_ino) != ino_)) {
      ASSIGN_OR_RETURN(size_t n, DrainAndSwitch(out));
      lines += n;
      continue;
    }
    if (::fstat(fd_, &ours) == 0 && static_cast<uint64_t>(ours.st_size) < read_off_) {
      // Copy-truncate: the rest of a partial line went to the copy; complete it.
      if (!buf_.empty()) {
        out->append(buf_);
        out->push_back('\n');
        ++lines;
      }
      buf_.clear();
      read_off_ = 0;
      notes_.push_back(start_.path + " was truncated (copy-truncate rotation?); reading it "
                       "from its start");
      continue;
    }
    return lines;
  }
}

size_t FileTailer::FinishPartialLine(std::string* out) {
  struct stat st;
  if (fd_ < 0 || buf_.empty() || ::fstat(fd_, &st) != 0 ||
      static_cast<uint64_t>(st.st_size) != read_off_)
    return 0;
  out->append(buf_);
  out->push_back('\n');
  buf_.clear();
  return 1;
}

uint64_t FileTailer::Lag() const {
  uint64_t lag = 0;
  struct stat st;
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0) {
    uint64_t done = read_off_ - buf_.size();
    if (static_cast<uint64_t>(st.st_size) > done) lag += static_cast<uint64_t>(st.st_size) - done;
  }
  if (::stat(start_.path.c_str(), &st) == 0 &&
      (fd_ < 0 || static_cast<uint64_t>(st.st_dev) != dev_ ||
       static_cast<uint64_t>(st.st_ino) != ino_))
    lag += static_cast<uint64_t>(st.st_size);
  return lag;
}

}  // namespace vigil
