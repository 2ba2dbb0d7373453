// Write-ahead log segments and records (spec: docs/formats/wal.md).
//
//   segment file  wal-<first lsn, 20 decimal digits>.log, a sequence of records
//   record        [u32 length][u32 masked crc32c(lsn as 8 LE bytes ++ payload)]
//                 [u64 lsn][payload: length bytes]          all integers little-endian
//
// LSNs inside one segment are consecutive, starting at the number in its name. A
// writer never appends to a segment it did not create, so damage can only sit at the
// end of a segment that was active when a process died.
#include "store/embedded/wal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <vector>

#include "store/embedded/crc32c.h"

namespace vigil {
namespace {

constexpr size_t kHeaderSize = 16;
// Larger lengths are treated as damage: real payloads are batches of at most ~64 MiB.
constexpr uint64_t kMaxRecordBytes = 256ull << 20;
// A group stops growing here so one leader does not copy unbounded memory.
constexpr size_t kMaxGroupBytes = 8u << 20;
// The leader's scratch buffer is released after a group bigger than this.
constexpr size_t kKeepScratchBytes = 16u << 20;
constexpr size_t kReadBufferBytes = 1u << 20;

void PutFixed32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
void PutFixed64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint32_t GetFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t GetFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t RecordCrc(uint64_t lsn, std::string_view payload) {
  char lsn_bytes[8];
  PutFixed64(lsn_bytes, lsn);
  return crc32c::Extend(crc32c::Value(lsn_bytes, 8), payload.data(), payload.size());
}

std::string SegmentName(uint64_t first_lsn) {
  char name[64];
  std::snprintf(name, sizeof(name), "wal-%020llu.log", static_cast<unsigned long long>(first_lsn));
  return name;
}

bool ParseSegmentName(std::string_view name, uint64_t* lsn) {
  if (name.size() != 28 || name.substr(0, 4) != "wal-" || name.substr(24) != ".log") return false;
  uint64_t v = 0;
  for (char c : name.substr(4, 20)) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *lsn = v;
  return true;
}

struct SegmentFile {
  uint64_t first_lsn = 0;
  std::string path;
  uint64_t size = 0;
};

// Segments in `dir` sorted by first LSN. A missing directory sets *missing.
Status ListSegments(const std::string& dir, std::vector<SegmentFile>* out, bool* missing) {
  out->clear();
  *missing = false;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) {
      *missing = true;
      return Status::OK();
    }
    return Status::FromErrno("opendir " + dir);
  }
  errno = 0;
  while (dirent* e = readdir(d)) {
    uint64_t lsn;
    if (!ParseSegmentName(e->d_name, &lsn)) continue;
    SegmentFile seg{lsn, dir + "/" + e->d_name, 0};
    struct stat st;
    // A segment deleted between readdir and stat is simply gone.
    if (stat(seg.path.c_str(), &st) == 0) {
      seg.size = static_cast<uint64_t>(st.st_size);
      out->push_back(std::move(seg));
    } else if (errno != ENOENT) {
      Status s = Status::FromErrno("stat " + seg.path);
      closedir(d);
      return s;
    }
    errno = 0;
  }
  Status s = errno != 0 ? Status::FromErrno("readdir " + dir) : Status::OK();
  closedir(d);
  std::sort(out->begin(), out->end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.first_lsn < b.first_lsn; });
  return s;
}

// Makes creations and deletions of entries in `dir` durable.
Status SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open dir " + dir);
  Status s = fsync(fd) == 0 ? Status::OK() : Status::FromErrno("fsync dir " + dir);
  close(fd);
  return s;
}

Status WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(std::strerror(errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::OK();
}

// Sequential reader over one segment. It reads only the bytes present when the file
// was opened, so a record a live writer is still appending looks like a torn tail.
class SegmentReader {
 public:
  enum class Next { kRecord, kEnd, kDamage };

  SegmentReader() = default;
  ~SegmentReader() {
    if (fd_ >= 0) close(fd_);
  }
  SegmentReader(const SegmentReader&) = delete;
  SegmentReader& operator=(const SegmentReader&) = delete;

  // Sets *missing (and returns OK) when the file no longer exists.
  Status Open(const std::string& path, bool* missing) {
    path_ = path;
    *missing = false;
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      if (errno == ENOENT) {
        *missing = true;
        return Status::OK();
      }
      return Status::FromErrno("open " + path);
    }
    struct stat st;
    if (fstat(fd_, &st) != 0) return Status::FromErrno("fstat " + path);
    file_size_ = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  // Reads the record at offset(). kRecord fills *lsn and *payload (valid until the next
  // call); kDamage fills *reason. I/O failures are returned as the Status.
  Status Read(Next* next, uint64_t* lsn, std::string_view* payload, std::string* reason) {
    record_offset_ = file_off_ + pos_;
    bool have = false;
    RETURN_IF_ERROR(Ensure(kHeaderSize, &have));
    if (!have) {
      *next = len_ == pos_ ? Next::kEnd : Next::kDamage;
      *reason = "truncated record header";
      return Status::OK();
    }
    const char* h = buf_.data() + pos_;
    uint64_t length = GetFixed32(h);
    uint32_t crc = crc32c::Unmask(GetFixed32(h + 4));
    *lsn = GetFixed64(h + 8);
    uint64_t remaining = file_size_ - record_offset_ - kHeaderSize;
    *next = Next::kDamage;
    if (length > kMaxRecordBytes) {
      *reason = "record length " + std::to_string(length) + " exceeds the maximum";
      return Status::OK();
    }
    if (length > remaining) {
      *reason = "record length " + std::to_string(length) + " runs past the end of the file";
      return Status::OK();
    }
    RETURN_IF_ERROR(Ensure(kHeaderSize + length, &have));
    if (!have) {
      *reason = "file shrank while reading";
      return Status::OK();
    }
    *payload = std::string_view(buf_.data() + pos_ + kHeaderSize, length);
    if (RecordCrc(*lsn, *payload) != crc) {
      *reason = "checksum mismatch";
      return Status::OK();
    }
    pos_ += kHeaderSize + length;
    *next = Next::kRecord;
    return Status::OK();
  }

  uint64_t record_offset() const { return record_offset_; }
  const std::string& path() const { return path_; }

 private:
  // Makes n bytes available at buf_[pos_]; *have is false at end of file.
  Status Ensure(size_t n, bool* have) {
    if (len_ - pos_ >= n) {
      *have = true;
      return Status::OK();
    }
    if (pos_ > 0 && len_ > pos_) std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
    file_off_ += pos_;
    len_ -= pos_;
    pos_ = 0;
    if (buf_.size() < n) buf_.resize(std::max(n, kReadBufferBytes));
    while (len_ < n && file_off_ + len_ < file_size_) {
      size_t want = static_cast<size_t>(
          std::min<uint64_t>(buf_.size() - len_, file_size_ - file_off_ - len_));
      ssize_t r = read(fd_, buf_.data() + len_, want);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("read " + path_);
      }
      if (r == 0) break;
      len_ += static_cast<size_t>(r);
    }
    *have = len_ >= n;
    return Status::OK();
  }

  std::string path_;
  int fd_ = -1;
  uint64_t file_size_ = 0;
  std::vector<char> buf_;
  size_t pos_ = 0;         // next unread byte in buf_
  size_t len_ = 0;         // valid bytes in buf_
  uint64_t file_off_ = 0;  // file offset of buf_[0]
  uint64_t record_offset_ = 0;
};

// True when the segment at `path` starts with an intact record.
Result<bool> HasIntactRecord(const std::string& path) {
  SegmentReader r;
  bool missing = false;
  RETURN_IF_ERROR(r.Open(path, &missing));
  if (missing) return false;
  SegmentReader::Next next;
  uint64_t lsn;
  std::string_view payload;
  std::string reason;
  RETURN_IF_ERROR(r.Read(&next, &lsn, &payload, &reason));
  return next == SegmentReader::Next::kRecord;
}

}  // namespace

struct WalWriter::Impl {
  struct Waiter {
    std::string_view payload;
    uint64_t lsn = 0;
    Status status;
    bool done = false;
    std::condition_variable cv;
  };

  std::string dir;
  WalOptions options;

  std::mutex mu;
  std::deque<Waiter*> queue;  // guarded by mu; front is the leader or next to lead
  uint64_t next_lsn = 0;      // guarded by mu
  Status sticky_error;        // guarded by mu; after a failed write or sync, nothing is safe

  // Touched only by the current leader (one at a time, serialized through `queue`).
  int fd = -1;
  uint64_t active_size = 0;
  std::string scratch;
  std::vector<Waiter*> group;

  std::mutex seg_mu;
  std::vector<SegmentFile> closed;  // guarded by seg_mu; older segments, oldest first
  uint64_t active_first = 0;        // guarded by seg_mu
  std::atomic<uint64_t> total_bytes{0};

  ~Impl() {
    if (fd >= 0) close(fd);
  }

  Status CreateSegment(uint64_t first_lsn, int extra_flags) {
    std::string path = dir + "/" + SegmentName(first_lsn);
    int nfd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | extra_flags, 0644);
    if (nfd < 0) return Status::FromErrno("create " + path);
    Status s = SyncDir(dir);
    if (!s.ok()) {
      close(nfd);
      return s;
    }
    fd = nfd;
    active_size = 0;
    return Status::OK();
  }

  Status Rotate(uint64_t first_lsn) {
    std::string old_path = ActivePath();
    // The old segment is synced even without options.sync, so a rotation never leaves
    // an unsynced hole before records that a later sync makes durable.
    if (fdatasync(fd) != 0) return Status::FromErrno("fdatasync " + old_path);
    if (close(fd) != 0) {
      fd = -1;
      return Status::FromErrno("close " + old_path);
    }
    fd = -1;
    uint64_t old_size = active_size;
    RETURN_IF_ERROR(CreateSegment(first_lsn, O_EXCL));
    std::lock_guard<std::mutex> l(seg_mu);
    closed.push_back({active_first, std::move(old_path), old_size});
    active_first = first_lsn;
    return Status::OK();
  }

  void EncodeGroup(uint64_t first_lsn) {
    size_t total = 0;
    for (const Waiter* w : group) total += kHeaderSize + w->payload.size();
    scratch.resize(total);
    char* p = scratch.data();
    uint64_t lsn = first_lsn;
    for (const Waiter* w : group) {
      PutFixed32(p, static_cast<uint32_t>(w->payload.size()));
      PutFixed32(p + 4, crc32c::Mask(RecordCrc(lsn, w->payload)));
      PutFixed64(p + 8, lsn);
      std::memcpy(p + kHeaderSize, w->payload.data(), w->payload.size());
      p += kHeaderSize + w->payload.size();
      ++lsn;
    }
  }

  // Only the leader changes active_first, so the leader may read it without seg_mu.
  std::string ActivePath() const { return dir + "/" + SegmentName(active_first); }

  // Writes `group` (LSNs from first_lsn) with one write() and at most one fdatasync.
  Status WriteGroup(uint64_t first_lsn) {
    if (active_size > 0 && active_size >= options.segment_bytes) RETURN_IF_ERROR(Rotate(first_lsn));
    EncodeGroup(first_lsn);
    Status s = WriteAll(fd, scratch.data(), scratch.size());
    active_size += scratch.size();
    total_bytes.fetch_add(scratch.size(), std::memory_order_relaxed);
    if (scratch.capacity() > kKeepScratchBytes) std::string().swap(scratch);
    if (!s.ok()) return Status::IOError("write " + ActivePath() + ": " + s.message());
    if (!options.sync) return Status::OK();
    auto start = std::chrono::steady_clock::now();
    if (fdatasync(fd) != 0) return Status::FromErrno("fdatasync " + ActivePath());
    if (options.on_fsync) {
      options.on_fsync(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return Status::OK();
  }

  // Called with `lock` held by the waiter at the front of the queue: writes the group
  // of waiters from the front, then hands leadership to the next waiter.
  void LeadGroup(std::unique_lock<std::mutex>& lock) {
    group.clear();
    size_t bytes = 0;
    for (Waiter* w : queue) {
      if (!group.empty() && bytes + w->payload.size() > kMaxGroupBytes) break;
      bytes += w->payload.size();
      group.push_back(w);
    }
    uint64_t first_lsn = next_lsn;
    Status s = sticky_error;
    if (s.ok() && UINT64_MAX - next_lsn < group.size())
      s = Status::ResourceExhausted("WAL LSNs exhausted");
    if (s.ok()) {
      next_lsn += group.size();
      lock.unlock();
      s = WriteGroup(first_lsn);
      lock.lock();
      if (!s.ok()) sticky_error = s;
    }
    for (size_t i = 0; i < group.size(); ++i) {
      Waiter* w = group[i];
      queue.pop_front();
      w->lsn = first_lsn + i;
      w->status = s;
      w->done = true;
      w->cv.notify_one();
    }
    if (!queue.empty()) queue.front()->cv.notify_one();
  }
};

WalWriter::WalWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WalWriter::~WalWriter() = default;

Result<std::unique_ptr<WalWriter>> WalWriter::Open(const std::string& dir, uint64_t next_lsn,
                                                   WalOptions options) {
  if (next_lsn == 0) return Status::InvalidArgument("WAL LSNs start at 1");
  std::error_code ec;
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("create WAL directory " + dir + ": " + ec.message());
  if (created) {
    std::string parent = std::filesystem::path(dir).parent_path().string();
    RETURN_IF_ERROR(SyncDir(parent.empty() ? "." : parent));
  }
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->options = std::move(options);
  impl->next_lsn = next_lsn;
  impl->active_first = next_lsn;
  std::vector<SegmentFile> segments;
  bool missing = false;
  RETURN_IF_ERROR(ListSegments(dir, &segments, &missing));
  uint64_t total = 0;
  for (SegmentFile& seg : segments) {
    if (seg.first_lsn > next_lsn) {
      return Status::InvalidArgument("WAL segment " + seg.path + " starts after next LSN " +
                                     std::to_string(next_lsn));
    }
    if (seg.first_lsn == next_lsn) {
      // Left by a writer that died before its first record reached disk; reused below.
      ASSIGN_OR_RETURN(bool intact, HasIntactRecord(seg.path));
      if (intact) {
        return Status::InvalidArgument("WAL segment " + seg.path + " already holds LSN " +
                                       std::to_string(next_lsn));
      }
      continue;
    }
    total += seg.size;
    impl->closed.push_back(std::move(seg));
  }
  RETURN_IF_ERROR(impl->CreateSegment(next_lsn, O_TRUNC));
  impl->total_bytes = total;
  return std::unique_ptr<WalWriter>(new WalWriter(std::move(impl)));
}

Result<uint64_t> WalWriter::Append(std::string_view payload) {
  if (payload.size() > kMaxRecordBytes) {
    return Status::InvalidArgument("WAL record of " + std::to_string(payload.size()) +
                                   " bytes exceeds the maximum");
  }
  Impl::Waiter w;
  w.payload = payload;
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->queue.push_back(&w);
  while (!w.done && impl_->queue.front() != &w) w.cv.wait(lock);
  if (!w.done) impl_->LeadGroup(lock);
  if (!w.status.ok()) return w.status;
  return w.lsn;
}

Status WalWriter::DeleteSegmentsBefore(uint64_t lsn) {
  std::lock_guard<std::mutex> l(impl_->seg_mu);
  auto& closed = impl_->closed;
  // closed[i] holds LSNs below the first LSN of the segment after it.
  size_t n = 0;
  while (n < closed.size()) {
    uint64_t end = n + 1 < closed.size() ? closed[n + 1].first_lsn : impl_->active_first;
    if (end > lsn) break;
    ++n;
  }
  if (n == 0) return Status::OK();
  Status s;
  size_t removed = 0;
  for (; removed < n; ++removed) {
    if (unlink(closed[removed].path.c_str()) != 0 && errno != ENOENT) {
      s = Status::FromErrno("unlink " + closed[removed].path);
      break;
    }
    impl_->total_bytes.fetch_sub(closed[removed].size, std::memory_order_relaxed);
  }
  closed.erase(closed.begin(), closed.begin() + static_cast<ptrdiff_t>(removed));
  RETURN_IF_ERROR(s);
  return SyncDir(impl_->dir);
}

uint64_t WalWriter::TotalBytes() const {
  return impl_->total_bytes.load(std::memory_order_relaxed);
}

namespace {

struct ReplayState {
  uint64_t from_lsn;
  const std::function<Status(uint64_t, std::string_view)>& fn;
  WalReplayStats* stats;
  bool have_last = false;
  uint64_t last_lsn = 0;
};

// Replays one segment. On damage, sets *damage to a description and returns OK;
// *next_lsn is then the LSN after the segment's last good record.
Status ReplaySegment(const SegmentFile& seg, ReplayState& st, std::string* damage,
                     uint64_t* next_lsn) {
  uint64_t& expected = *next_lsn;
  expected = seg.first_lsn;
  SegmentReader reader;
  bool missing = false;
  RETURN_IF_ERROR(reader.Open(seg.path, &missing));
  if (missing) return Status::OK();  // deleted by a live writer after it was listed
  if (st.have_last && seg.first_lsn <= st.last_lsn) {
    return Status::Corruption("WAL segment " + seg.path + " overlaps LSN " +
                              std::to_string(st.last_lsn) + " of the previous segment");
  }
  ++st.stats->segments;
  for (;;) {
    SegmentReader::Next next;
    uint64_t lsn = 0;
    std::string_view payload;
    std::string reason;
    RETURN_IF_ERROR(reader.Read(&next, &lsn, &payload, &reason));
    if (next == SegmentReader::Next::kEnd) return Status::OK();
    if (next == SegmentReader::Next::kRecord && lsn != expected) {
      next = SegmentReader::Next::kDamage;
      reason = "record has LSN " + std::to_string(lsn) + ", expected " + std::to_string(expected);
    }
    if (next == SegmentReader::Next::kDamage) {
      *damage = seg.path + " at offset " + std::to_string(reader.record_offset()) + ": " + reason;
      return Status::OK();
    }
    ++expected;
    st.have_last = true;
    st.last_lsn = lsn;
    if (lsn < st.from_lsn) continue;
    RETURN_IF_ERROR(st.fn(lsn, payload));
    ++st.stats->records;
    st.stats->bytes += payload.size();
  }
}

// readdir may miss a file created while it runs, so a live writer's new segment can be
// absent from a listing that shows a later one. A gap in LSNs after segments[i] is
// checked against a fresh listing; entries up to segments[i] stay as they are.
Status RelistAfter(const std::string& dir, size_t i, std::vector<SegmentFile>* segments) {
  std::vector<SegmentFile> fresh;
  bool missing = false;
  RETURN_IF_ERROR(ListSegments(dir, &fresh, &missing));
  const uint64_t done = (*segments)[i].first_lsn;
  segments->resize(i + 1);
  for (SegmentFile& seg : fresh)
    if (seg.first_lsn > done) segments->push_back(std::move(seg));
  return Status::OK();
}

}  // namespace

Status ReplayWal(const std::string& dir, uint64_t from_lsn,
                 const std::function<Status(uint64_t, std::string_view)>& fn,
                 WalReplayStats* stats) {
  WalReplayStats local;
  if (stats == nullptr) stats = &local;
  *stats = WalReplayStats();
  std::vector<SegmentFile> segments;
  bool missing = false;
  RETURN_IF_ERROR(ListSegments(dir, &segments, &missing));
  ReplayState st{from_lsn, fn, stats};
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string damage;
    uint64_t next_expected = 0;
    RETURN_IF_ERROR(ReplaySegment(segments[i], st, &damage, &next_expected));
    if (i + 1 < segments.size() && segments[i + 1].first_lsn != next_expected) {
      RETURN_IF_ERROR(RelistAfter(dir, i, &segments));
    }
    if (damage.empty()) continue;
    if (i + 1 == segments.size()) {
      stats->truncated_tail = true;
      stats->tail_reason = std::move(damage);
      break;
    }
    // A restarted writer continues right after the last good record in a new segment,
    // so an old torn tail followed by the next LSN lost nothing that was acknowledged.
    if (segments[i + 1].first_lsn == next_expected) {
      ++stats->healed_tails;
      continue;
    }
    return Status::Corruption("WAL damaged before its last segment: " + damage);
  }
  return Status::OK();
}

}  // namespace vigil
