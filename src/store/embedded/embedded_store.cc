// The embedded store: WAL + memtable + immutable columnar parts per UTC day, with
// background flush, merges and retention. See DESIGN.md section 3 and docs/formats/.
//
// Durability protocol:
//  - Append writes the batch to the WAL (durable) and then inserts it into the memtable,
//    both under mu_, so memtable LSNs are contiguous and ordered.
//  - A flush writes the memtable's rows as parts (one per day), renames them into place
//    and then atomically records the memtable's last LSN in FLUSHED. Only then is the
//    WAL below that LSN deleted.
//  - Recovery: parts whose min_lsn > FLUSHED belong to an unfinished flush and are
//    deleted (the WAL still has their rows); parts listed in another part's `replaces`
//    are leftovers of an unfinished merge and are deleted; then the WAL after FLUSHED is
//    replayed into the memtable.
//
// Deduplication (Store::Append with AppendOptions): the WAL record of such a batch
// carries the shipper id and seq in front of the batch payload (EncodeShipperPrefix), so
// "already committed" is decided under mu_ and made durable by the same WAL write as the
// batch. shipper_seq_ (last committed seq per shipper) is rebuilt on open from SHIPPERS,
// which every flush writes before FLUSHED, and from the WAL records after FLUSHED.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/json_render.h"
#include "core/timestamp.h"
#include "core/varint.h"
#include "store/embedded/batch_codec.h"
#include "store/embedded/column_codec.h"
#include "store/embedded/file_util.h"
#include "store/embedded/memtable.h"
#include "store/embedded/merge_policy.h"
#include "store/embedded/merger.h"
#include "store/embedded/part.h"
#include "store/embedded/prune.h"
#include "store/embedded/row_order.h"
#include "store/embedded/wal.h"
#include "store/store.h"

namespace vigil {

namespace fs = std::filesystem;

namespace {

constexpr size_t kBlockRows = 8192;
constexpr size_t kMergeMinParts = 4;
constexpr size_t kMaxImmutable = 2;
constexpr int kFlushThreads = 2;  // = kMaxImmutable: each waiting memtable has a writer
constexpr int kWalZstdLevel = 1;
constexpr double kFsyncBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

int64_t DayOf(int64_t ts) { return ts >= 0 ? ts / kNanosPerDay : -((-ts - 1) / kNanosPerDay) - 1; }

// YYYY-MM-DD of a day number since 1970-01-01: the partition directory name.
std::string DayName(int64_t days) { return FormatDay(days * kNanosPerDay); }

bool HasPrefix(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

const ChunkMeta* FindChunk(const PartMeta& m, const BlockMeta& b, const std::string& name,
                           Type type) {
  for (const ChunkMeta& c : b.chunks)
    if (m.columns[c.column].type == type && m.columns[c.column].name == name) return &c;
  return nullptr;
}

Status TimestampRange(const Batch& b, int64_t* lo, int64_t* hi) {
  const Column* ts = b.Find("@timestamp", Type::kInt);
  if (ts == nullptr) return Status::InvalidArgument("batch has no @timestamp column");
  *lo = INT64_MAX;
  *hi = INT64_MIN;
  for (size_t i = 0; i < b.rows; ++i) {
    if (!ts->valid[i]) return Status::InvalidArgument("row without @timestamp");
    *lo = std::min(*lo, ts->ints[i]);
    *hi = std::max(*hi, ts->ints[i]);
  }
  return Status::OK();
}

// The rows `rows` of `src`, keeping only the wanted columns.
Batch Gather(const Batch& src, const std::vector<uint32_t>& rows,
             const std::function<bool(const std::string&)>& want) {
  Batch out;
  out.rows = rows.size();
  for (const Column& c : src.columns) {
    if (!want(c.name)) continue;
    Column& d = out.columns.emplace_back();
    d.name = c.name;
    d.type = c.type;
    d.valid.reserve(rows.size());
    for (uint32_t r : rows) d.AppendFrom(c, r);
  }
  return out;
}

// A WAL record of a deduplicated append starts with this byte instead of the batch
// payload's version byte (1):
//   [u8 0xD5][varint id length][shipper id][varint seq][batch payload]
constexpr uint8_t kShipperRecordTag = 0xD5;
constexpr size_t kMaxShipperIdBytes = 128;

bool ValidShipperId(std::string_view id) {
  if (id.empty() || id.size() > kMaxShipperIdBytes) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void EncodeShipperPrefix(const AppendOptions& o, std::string* out) {
  out->push_back(static_cast<char>(kShipperRecordTag));
  PutString(out, o.shipper_id);
  PutVarint(out, o.seq);
}

// Splits a WAL record into its optional shipper prefix and the batch payload.
Status SplitWalRecord(std::string_view record, AppendOptions* shipper, std::string_view* batch) {
  *shipper = {};
  *batch = record;
  if (record.empty() || static_cast<uint8_t>(record[0]) != kShipperRecordTag) return Status::OK();
  ByteReader r(record.substr(1));
  std::string_view id;
  if (!r.String(&id) || !r.Varint(&shipper->seq) || !ValidShipperId(id) || shipper->seq == 0)
    return Status::Corruption("WAL record: bad shipper prefix");
  shipper->shipper_id = std::string(id);
  *batch = record.substr(record.size() - r.remaining());
  return Status::OK();
}

// SHIPPERS: "vigil-shippers 1\n" then one "<seq> <shipper id>\n" per shipper.
constexpr std::string_view kShippersHeader = "vigil-shippers 1\n";

std::string EncodeShippers(const std::unordered_map<std::string, uint64_t>& seqs) {
  std::string out(kShippersHeader);
  for (const auto& [id, seq] : seqs) out += std::to_string(seq) + " " + id + "\n";
  return out;
}

Status DecodeShippers(std::string_view text, std::unordered_map<std::string, uint64_t>* seqs) {
  if (!text.starts_with(kShippersHeader)) return Status::Corruption("SHIPPERS: bad header");
  text.remove_prefix(kShippersHeader.size());
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return Status::Corruption("SHIPPERS: torn last line");
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    size_t sp = line.find(' ');
    uint64_t seq = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + std::min(sp, line.size()), seq);
    if (sp == std::string_view::npos || ec != std::errc() || end != line.data() + sp ||
        !ValidShipperId(line.substr(sp + 1)))
      return Status::Corruption("SHIPPERS: bad line '" + std::string(line) + "'");
    (*seqs)[std::string(line.substr(sp + 1))] = seq;
  }
  return Status::OK();
}

struct FsyncHistogram {
  std::atomic<uint64_t> buckets[std::size(kFsyncBounds) + 1] = {};
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> sum_ns{0};
  void Observe(double s) {
    size_t i = 0;
    while (i < std::size(kFsyncBounds) && s > kFsyncBounds[i]) ++i;
    buckets[i]++;
    count++;
    sum_ns += static_cast<uint64_t>(s * 1e9);
  }
};

class EmbeddedStore final : public Store {
 public:
  explicit EmbeddedStore(EmbeddedOptions o) : opt_(std::move(o)) {
    parts_dir_ = opt_.dir + "/parts";
    wal_dir_ = opt_.dir + "/wal";
    writer_opts_.zstd_level = opt_.zstd_level;
    writer_opts_.id_fields = opt_.id_fields;
  }
  ~EmbeddedStore() override { (void)Close(); }

  Status Open();
  Status Append(Batch&& batch) override;
  Status Append(Batch&& batch, const AppendOptions& options) override;
  Status Scan(const ScanSpec& spec, const ScanSink& sink, ScanStats* stats) override;
  Status Flush() override;
  Status CompactAll() override;
  StoreStats Stats() override;
  Status Close() override;

 private:
  using PartList = std::vector<std::shared_ptr<Part>>;

  Result<uint64_t> ReadFlushed() const;
  Status ReadShippers();
  Status WriteShippersIfChanged();
  // Writes `prefix` + the encoded batch to the WAL and inserts the batch into the
  // memtable; when `shipper` is set, records its seq in the same critical section.
  Status AppendRecord(Batch&& batch, std::string prefix, const AppendOptions* shipper);
  Status LoadParts(bool cleanup, uint64_t flushed, PartList* out);
  Status ReplayInto(uint64_t from_lsn, uint64_t* last_lsn);
  Status OpenReadOnly();
  Status LockDir();
  Status RemoveWalSegments();
  void RotateLocked(std::unique_lock<std::mutex>& l);
  Status FlushOne(const std::shared_ptr<MemTable>& m);
  Status WriteDayParts(const MemTable& m, PartList* out);
  Status MergeOnce(bool all, bool* merged);
  Status ApplyRetention();
  void RemovePartDirs(const PartList& parts);
  void FlushLoop();
  void MergeLoop();
  void ReportBackgroundError(const Status& s);
  uint64_t NextPartId() {
    std::lock_guard l(mu_);
    return next_part_id_++;
  }
  Status ScanPart(const Part& p, const ScanSpec& spec, const ScanSink& sink, ScanStats* st,
                  bool* stop);

  EmbeddedOptions opt_;
  std::string parts_dir_, wal_dir_;
  PartWriterOptions writer_opts_;

  std::mutex mu_;  // guards everything below it
  std::condition_variable cv_;
  std::shared_ptr<MemTable> mem_ = std::make_shared<MemTable>();
  std::deque<std::shared_ptr<MemTable>> imm_;  // oldest first, waiting to be flushed
  std::map<std::string, PartList> parts_;      // partition (YYYY-MM-DD) -> parts
  uint64_t next_part_id_ = 1;
  uint64_t flushed_lsn_ = 0;
  bool closed_ = false;
  bool closing_ = false;         // Close() has begun: appends are refused
  int inflight_ = 0;             // appends between WAL write and memtable insert
  bool rotate_pending_ = false;  // the memtable is full; rotate when inflight_ is 0
  Status fatal_;  // a WAL or flush failure: appends are refused from then on
  std::unordered_map<std::string, uint64_t> shipper_seq_;  // last committed seq
  std::unordered_set<std::string> shippers_busy_;          // an append of theirs is running
  uint64_t shippers_version_ = 0;  // bumped on each shipper_seq_ change
  uint64_t shippers_written_ = 0;  // the version last written to SHIPPERS

  std::unique_ptr<WalWriter> wal_;
  // Flushes and merges run on their own threads so that a long merge never holds up the
  // flush that appends are waiting for; retention takes both locks.
  std::shared_mutex retention_mu_;  // flushes share it; retention takes it alone
  std::mutex merge_mu_;             // one merge at a time
  std::set<const MemTable*> flushing_;  // guarded by mu_: memtables a flusher has claimed
  std::vector<std::thread> flushers_;
  std::thread merger_;
  bool merge_wanted_ = false;  // guarded by mu_: a flush added parts
  std::atomic<bool> stopping_{false};  // lets a running merge give up at Close
  FsyncHistogram fsync_;
  int lock_fd_ = -1;
};

// One writer per data directory: a second server or importer fails fast instead of
// interleaving WAL segments and parts with the first.
Status EmbeddedStore::LockDir() {
  std::string path = opt_.dir + "/LOCK";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return Status::FromErrno("open " + path);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return Status::Unavailable(opt_.dir +
                               " is in use by another Vigil process (use read-only access "
                               "such as `vigil query --data`, or stop that process)");
  return Status::OK();
}

Result<uint64_t> EmbeddedStore::ReadFlushed() const {
  auto s = ReadFileToString(opt_.dir + "/FLUSHED");
  if (!s.ok()) {
    if (s.status().code() == Code::kNotFound) return uint64_t{0};
    return s.status();
  }
  char* end = nullptr;
  uint64_t v = std::strtoull(s->c_str(), &end, 10);
  if (end == s->c_str()) return Status::Corruption(opt_.dir + "/FLUSHED is not a number");
  return v;
}

Status EmbeddedStore::ReadShippers() {
  auto text = ReadFileToString(opt_.dir + "/SHIPPERS");
  if (!text.ok()) return text.status().code() == Code::kNotFound ? Status::OK() : text.status();
  return DecodeShippers(*text, &shipper_seq_);
}

// The snapshot may hold seqs newer than the memtable being flushed: their WAL records
// are durable and after FLUSHED, so recovery replays them anyway.
Status EmbeddedStore::WriteShippersIfChanged() {
  std::string text;
  uint64_t version;
  {
    std::lock_guard l(mu_);
    if (shippers_version_ == shippers_written_) return Status::OK();
    version = shippers_version_;
    text = EncodeShippers(shipper_seq_);
  }
  RETURN_IF_ERROR(WriteFileAtomic(opt_.dir + "/SHIPPERS", text));
  std::lock_guard l(mu_);
  shippers_written_ = std::max(shippers_written_, version);
  return Status::OK();
}

Status EmbeddedStore::LoadParts(bool cleanup, uint64_t flushed, PartList* out) {
  std::error_code ec;
  if (!fs::exists(parts_dir_)) return Status::OK();
  PartList all;
  for (const auto& pdir : fs::directory_iterator(parts_dir_, ec)) {
    if (!pdir.is_directory()) continue;
    if (HasPrefix(pdir.path().filename().string(), "del-")) {  // an interrupted retention
      if (cleanup) fs::remove_all(pdir.path(), ec);
      continue;
    }
    for (const auto& e : fs::directory_iterator(pdir.path(), ec)) {
      std::string name = e.path().filename().string();
      if (HasPrefix(name, "tmp-") || HasPrefix(name, "del-")) {
        if (cleanup) fs::remove_all(e.path(), ec);
        continue;
      }
      auto p = Part::Open(e.path().string());
      if (!p.ok()) {
        if (!cleanup) return p.status();  // raced with a merge: the caller retries
        fs::create_directories(opt_.dir + "/quarantine", ec);
        fs::rename(e.path(), opt_.dir + "/quarantine/" + pdir.path().filename().string() + "-" +
                                 name, ec);
        std::fprintf(stderr, "vigil: quarantined damaged part %s: %s\n", e.path().c_str(),
                     p.status().ToString().c_str());
        continue;
      }
      all.push_back(std::move(p).value());
    }
  }
  if (ec) return Status::IOError("list " + parts_dir_ + ": " + ec.message());
  std::set<uint64_t> replaced;
  for (const auto& p : all)
    for (uint64_t id : p->meta().replaces) replaced.insert(id);
  for (auto& p : all) {
    bool stale = p->meta().min_lsn > flushed || replaced.count(p->meta().id);
    if (!stale) {
      out->push_back(p);
    } else if (cleanup) {
      fs::remove_all(p->dir(), ec);
    }
  }
  return Status::OK();
}

Status EmbeddedStore::ReplayInto(uint64_t from_lsn, uint64_t* last_lsn) {
  WalReplayStats stats;
  Status s = ReplayWal(
      wal_dir_, from_lsn,
      [&](uint64_t lsn, std::string_view record) -> Status {
        AppendOptions shipper;
        std::string_view payload;
        RETURN_IF_ERROR(SplitWalRecord(record, &shipper, &payload));
        ASSIGN_OR_RETURN(Batch b, DecodeBatch(payload));
        if (!shipper.shipper_id.empty()) {
          uint64_t& last = shipper_seq_[shipper.shipper_id];
          last = std::max(last, shipper.seq);
          ++shippers_version_;  // the next flush must write it to SHIPPERS
        }
        int64_t lo, hi;
        RETURN_IF_ERROR(TimestampRange(b, &lo, &hi));
        mem_->Insert(std::make_shared<const Batch>(std::move(b)), lsn, lo, hi);
        *last_lsn = lsn;
        return Status::OK();
      },
      &stats);
  if (stats.truncated_tail && !opt_.read_only)
    std::fprintf(stderr, "vigil: WAL tail was damaged and ignored (%s)\n",
                 stats.tail_reason.c_str());
  return s;
}

Status EmbeddedStore::OpenReadOnly() {
  // A live server may flush, merge or delete WAL segments while we load; retry until a
  // load sees one consistent state (FLUSHED and the part set unchanged across it).
  for (int attempt = 0; attempt < 20; ++attempt) {
    ASSIGN_OR_RETURN(uint64_t flushed, ReadFlushed());
    PartList parts;
    Status s = LoadParts(false, flushed, &parts);
    uint64_t last = flushed;
    mem_ = std::make_shared<MemTable>();
    if (s.ok()) s = ReplayInto(flushed + 1, &last);
    auto again = ReadFlushed();
    if (s.ok() && again.ok() && *again == flushed) {
      for (auto& p : parts) parts_[p->partition()].push_back(p);
      return Status::OK();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("data directory kept changing while being read; try again");
}

Status EmbeddedStore::Open() {
  if (opt_.read_only) {
    if (!fs::exists(opt_.dir)) return Status::NotFound("no data directory at " + opt_.dir);
    return OpenReadOnly();
  }
  std::error_code ec;
  fs::create_directories(parts_dir_, ec);
  if (ec) return Status::IOError("create " + parts_dir_ + ": " + ec.message());
  RETURN_IF_ERROR(LockDir());
  ASSIGN_OR_RETURN(flushed_lsn_, ReadFlushed());
  RETURN_IF_ERROR(ReadShippers());
  PartList parts;
  RETURN_IF_ERROR(LoadParts(true, flushed_lsn_, &parts));
  for (auto& p : parts) {
    next_part_id_ = std::max(next_part_id_, p->meta().id + 1);
    parts_[p->partition()].push_back(p);
  }
  uint64_t last = flushed_lsn_;
  RETURN_IF_ERROR(ReplayInto(flushed_lsn_ + 1, &last));
  WalOptions wo;
  wo.sync = opt_.sync == EmbeddedOptions::Sync::kGroupCommit;
  wo.on_fsync = [this](double s) { fsync_.Observe(s); };
  ASSIGN_OR_RETURN(wal_, WalWriter::Open(wal_dir_, last + 1, std::move(wo)));
  if (!mem_->empty()) {
    std::unique_lock l(mu_);
    RotateLocked(l);
  }
  RETURN_IF_ERROR(ApplyRetention());
  if (opt_.background) {
    for (int i = 0; i < kFlushThreads; ++i) flushers_.emplace_back([this] { FlushLoop(); });
    merger_ = std::thread([this] { MergeLoop(); });
  }
  return Status::OK();
}

void EmbeddedStore::RotateLocked(std::unique_lock<std::mutex>& l) {
  // A frozen memtable must hold every LSN up to its last one, so wait for the appends
  // whose WAL records are written but not yet inserted.
  rotate_pending_ = true;
  cv_.wait(l, [&] { return inflight_ == 0; });
  rotate_pending_ = false;
  if (!mem_->empty()) {
    imm_.push_back(mem_);
    mem_ = std::make_shared<MemTable>();
  }
  cv_.notify_all();
}

Status EmbeddedStore::Append(Batch&& batch) { return AppendRecord(std::move(batch), {}, nullptr); }

Status EmbeddedStore::Append(Batch&& batch, const AppendOptions& o) {
  if (o.shipper_id.empty()) return Append(std::move(batch));
  if (!ValidShipperId(o.shipper_id) || o.seq == 0)
    return Status::InvalidArgument("shipper id must be 1..128 of [A-Za-z0-9._:-] and seq > 0");
  {
    // One append per shipper at a time: a retry racing its own original (the client
    // gave up waiting and resent) must see the original's outcome.
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return closed_ || closing_ || !shippers_busy_.count(o.shipper_id); });
    if (closed_ || closing_) return Status::Unavailable("store is closed");
    auto it = shipper_seq_.find(o.shipper_id);
    if (it != shipper_seq_.end() && it->second >= o.seq)
      return Status::AlreadyExists("batch " + std::to_string(o.seq) + " of shipper " +
                                   o.shipper_id + " was already committed");
    shippers_busy_.insert(o.shipper_id);
  }
  std::string prefix;
  EncodeShipperPrefix(o, &prefix);
  Status s = AppendRecord(std::move(batch), std::move(prefix), &o);
  std::lock_guard l(mu_);
  shippers_busy_.erase(o.shipper_id);
  cv_.notify_all();
  return s;
}

Status EmbeddedStore::AppendRecord(Batch&& batch, std::string payload,
                                   const AppendOptions* shipper) {
  if (batch.rows == 0) return Status::OK();
  int64_t lo, hi;
  RETURN_IF_ERROR(TimestampRange(batch, &lo, &hi));
  EncodeBatch(batch, kWalZstdLevel, &payload);
  auto chunk = std::make_shared<const Batch>(std::move(batch));
  std::unique_lock l(mu_);
  if (opt_.read_only) return Status::Unsupported("store is open read-only");
  // Backpressure: do not let unflushed memtables pile up without bound; and hold new
  // appends while a rotation waits for the in-flight ones.
  cv_.wait(l, [&] {
    return closed_ || closing_ || !fatal_.ok() ||
           (imm_.size() < kMaxImmutable && !rotate_pending_);
  });
  if (closed_ || closing_) return Status::Unavailable("store is closed");
  if (!fatal_.ok()) return Status::Unavailable("store failed: " + fatal_.message());
  ++inflight_;
  l.unlock();
  // Outside the mutex, so concurrent appends share one WAL group commit.
  auto lsn = wal_->Append(payload);
  l.lock();
  --inflight_;
  if (!lsn.ok()) {
    fatal_ = lsn.status();
    cv_.notify_all();
    return lsn.status();
  }
  mem_->Insert(std::move(chunk), *lsn, lo, hi);
  if (shipper != nullptr) {
    shipper_seq_[shipper->shipper_id] = shipper->seq;
    ++shippers_version_;
  }
  if (mem_->bytes() >= opt_.memtable_max_bytes || mem_->rows() >= opt_.memtable_max_rows)
    rotate_pending_ = true;
  if (rotate_pending_ && inflight_ == 0) RotateLocked(l);
  if (inflight_ == 0) cv_.notify_all();
  return Status::OK();
}

Status EmbeddedStore::WriteDayParts(const MemTable& m, PartList* out) {
  // Sort references to (chunk, row) instead of copying the memtable, then gather one
  // block at a time: a flush needs memory for one block beyond the memtable itself.
  struct Ref {
    int64_t day;
    RowKey key;
    uint32_t chunk, row;
  };
  const auto& chunks = m.Chunks();
  std::vector<Ref> order;
  order.reserve(m.rows());
  for (uint32_t c = 0; c < chunks.size(); ++c) {
    RowKeys keys(*chunks[c]);
    for (uint32_t r = 0; r < chunks[c]->rows; ++r) {
      RowKey k = keys(r);
      order.push_back({DayOf(k.ts), k, c, r});
    }
  }
  std::sort(order.begin(), order.end(), [](const Ref& a, const Ref& b) {
    if (a.day != b.day) return a.day < b.day;
    return a.key < b.key;
  });
  auto day = [](const Ref& r) { return r.day; };
  for (size_t i = 0; i < order.size();) {
    int64_t d = day(order[i]);
    size_t j = i;
    while (j < order.size() && day(order[j]) == d) ++j;
    PartMeta h;
    h.id = NextPartId();
    h.min_lsn = m.min_lsn();
    h.max_lsn = m.max_lsn();
    std::string pdir = parts_dir_ + "/" + DayName(d);
    std::error_code ec;
    fs::create_directories(pdir, ec);
    ASSIGN_OR_RETURN(auto w, PartWriter::Create(pdir, h, writer_opts_));
    Batch block;
    RowAppender appender(&block);
    for (size_t c = 0; c < chunks.size(); ++c) appender.SetSource(c, *chunks[c]);
    std::vector<RowAppender::Ref> refs;
    for (size_t k = i; k < j; k += kBlockRows) {
      refs.clear();
      for (size_t q = k; q < std::min(j, k + kBlockRows); ++q)
        refs.push_back({order[q].chunk, order[q].row});
      appender.AppendRefs(refs);
      RETURN_IF_ERROR(w->WriteBlock(block, 0, block.rows));
      appender.ClearRows();
    }
    ASSIGN_OR_RETURN(PartMeta meta, w->Finish());
    ASSIGN_OR_RETURN(auto part, Part::Open(pdir + "/" + PartDirName(meta.id)));
    out->push_back(std::move(part));
    i = j;
  }
  return Status::OK();
}

// Flushes of different memtables write their parts concurrently but commit (FLUSHED)
// strictly oldest first: a crash between a part's rename and its commit leaves a part
// above FLUSHED, which recovery discards and rebuilds from the WAL.
Status EmbeddedStore::FlushOne(const std::shared_ptr<MemTable>& m) {
  auto pending = [&] { return std::find(imm_.begin(), imm_.end(), m) != imm_.end(); };
  {
    std::unique_lock l(mu_);
    if (!pending()) return Status::OK();  // already committed
    if (flushing_.count(m.get())) {       // another thread writes it: wait for its commit
      cv_.wait(l, [&] { return !pending() || !flushing_.count(m.get()); });
      return Status::OK();
    }
    flushing_.insert(m.get());
  }
  PartList parts;
  Status s;
  {
    std::shared_lock r(retention_mu_);
    s = WriteDayParts(*m, &parts);
  }
  std::unique_lock l(mu_);
  if (s.ok()) {
    cv_.wait(l, [&] { return imm_.front() == m || closed_; });
    if (imm_.front() != m) s = Status::Unavailable("store closed before this flush committed");
  }
  if (s.ok()) {
    l.unlock();
    // Only the oldest memtable's flusher gets here, so these writes never interleave.
    // Before FLUSHED: the WAL records below it, and the shipper seqs they carry, may go.
    s = WriteShippersIfChanged();
    if (s.ok()) s = WriteFileAtomic(opt_.dir + "/FLUSHED", std::to_string(m->max_lsn()));
    l.lock();
  }
  flushing_.erase(m.get());
  if (!s.ok()) {
    cv_.notify_all();
    l.unlock();
    RemovePartDirs(parts);  // never committed: a retry writes them again
    return s;
  }
  for (auto& p : parts) parts_[p->partition()].push_back(p);
  imm_.pop_front();
  flushed_lsn_ = m->max_lsn();
  merge_wanted_ = true;
  cv_.notify_all();
  l.unlock();
  return wal_->DeleteSegmentsBefore(m->max_lsn() + 1);
}

Status EmbeddedStore::Flush() {
  if (opt_.read_only) return Status::OK();
  for (;;) {
    std::shared_ptr<MemTable> m;
    {
      std::unique_lock l(mu_);
      RotateLocked(l);
      if (imm_.empty()) return Status::OK();
      m = imm_.front();
    }
    RETURN_IF_ERROR(FlushOne(m));
  }
}

void EmbeddedStore::RemovePartDirs(const PartList& parts) {
  for (const auto& p : parts) {
    // Rename first so a crash mid-delete leaves a del- dir that recovery removes,
    // never a half-deleted part that looks live.
    fs::path from(p->dir());
    fs::path to = from.parent_path() / ("del-" + from.filename().string());
    std::error_code ec;
    fs::rename(from, to, ec);
    fs::remove_all(ec ? from : to, ec);
  }
}

Status EmbeddedStore::MergeOnce(bool all, bool* merged) {
  std::lock_guard w(merge_mu_);
  *merged = false;
  std::string partition;
  PartList inputs;
  {
    std::lock_guard l(mu_);
    for (auto& [name, list] : parts_) {
      std::vector<uint64_t> rows;
      for (const auto& p : list) rows.push_back(p->meta().rows);
      for (size_t i : PickMergeInputs(rows, all)) inputs.push_back(list[i]);
      if (inputs.empty()) continue;
      partition = name;
      break;
    }
  }
  if (inputs.empty()) return Status::OK();
  std::string pdir = parts_dir_ + "/" + partition;
  PartWriterOptions merge_opts = writer_opts_;
  // Background merges keep up with ingest; an explicit compaction compresses harder.
  merge_opts.zstd_level = all ? opt_.compact_zstd_level : opt_.merge_zstd_level;
  ASSIGN_OR_RETURN(PartMeta meta,
                   MergeParts(inputs, pdir, NextPartId(), merge_opts, all ? nullptr : &stopping_));
  ASSIGN_OR_RETURN(auto merged_part, Part::Open(pdir + "/" + PartDirName(meta.id)));
  {
    std::lock_guard l(mu_);
    PartList& list = parts_[partition];
    std::erase_if(list, [&](const auto& p) {
      return std::find(inputs.begin(), inputs.end(), p) != inputs.end();
    });
    list.push_back(std::move(merged_part));
  }
  RemovePartDirs(inputs);
  *merged = true;
  return Status::OK();
}

Status EmbeddedStore::CompactAll() {
  if (opt_.read_only) return Status::OK();
  RETURN_IF_ERROR(Flush());
  for (bool merged = true; merged;) RETURN_IF_ERROR(MergeOnce(true, &merged));
  return Status::OK();
}

Status EmbeddedStore::ApplyRetention() {
  if (opt_.retention_days <= 0) return Status::OK();
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::string oldest_kept = DayName(DayOf(now) - opt_.retention_days + 1);
  std::unique_lock r(retention_mu_);
  std::lock_guard w(merge_mu_);
  std::vector<std::string> drop;
  {
    std::lock_guard l(mu_);
    for (auto it = parts_.begin(); it != parts_.end() && it->first < oldest_kept;) {
      drop.push_back(it->first);
      it = parts_.erase(it);
    }
  }
  for (const auto& name : drop) {
    std::error_code ec;
    fs::path from = fs::path(parts_dir_) / name;
    fs::path to = fs::path(parts_dir_) / ("del-" + name);
    fs::rename(from, to, ec);
    fs::remove_all(ec ? from : to, ec);
  }
  return Status::OK();
}

void EmbeddedStore::ReportBackgroundError(const Status& s) {
  std::fprintf(stderr, "vigil: background storage work failed: %s\n", s.ToString().c_str());
  std::unique_lock l(mu_);
  cv_.wait_for(l, std::chrono::seconds(5), [&] { return closed_; });
}

void EmbeddedStore::FlushLoop() {
  for (;;) {
    std::shared_ptr<MemTable> m;
    {
      std::unique_lock l(mu_);
      auto unclaimed = [&] {
        for (const auto& c : imm_)
          if (!flushing_.count(c.get())) return c;
        return std::shared_ptr<MemTable>();
      };
      cv_.wait(l, [&] { return closed_ || unclaimed() != nullptr; });
      if (closed_) return;
      m = unclaimed();
    }
    Status s = FlushOne(m);
    if (!s.ok()) ReportBackgroundError(s);
  }
}

void EmbeddedStore::MergeLoop() {
  auto last_retention = std::chrono::steady_clock::time_point{};
  for (;;) {
    {
      std::unique_lock l(mu_);
      cv_.wait_for(l, std::chrono::seconds(1), [&] { return closed_ || merge_wanted_; });
      if (closed_) return;
      merge_wanted_ = false;
    }
    Status s;
    for (bool merged = true; merged && s.ok() && !stopping_;) s = MergeOnce(false, &merged);
    if (s.ok() && std::chrono::steady_clock::now() - last_retention > std::chrono::minutes(10)) {
      s = ApplyRetention();
      last_retention = std::chrono::steady_clock::now();
    }
    if (!s.ok() && !stopping_) ReportBackgroundError(s);
  }
}

namespace {

// What a scan of one part decodes: two column sets, the predicate columns (and
// @timestamp) first and the rest only for blocks where some row matches. In a block
// wholly inside the time range the timestamps decide nothing, so they move to the second
// set (`*_inside`).
struct PartScan {
  const Part* part = nullptr;
  const ScanSpec* spec = nullptr;
  std::vector<bool> first_all, rest_all, first_inside, rest_inside;
  const PrunePredicate* eq = nullptr;      // a string equality: find candidates on codes
  const PrunePredicate* search = nullptr;  // an event search: find candidates in place
};

PartScan PlanPartScan(const Part& p, const ScanSpec& spec) {
  const PartMeta& m = p.meta();
  PartScan ps;
  ps.part = &p;
  ps.spec = &spec;
  ps.first_all.assign(m.columns.size(), false);
  ps.rest_all.assign(m.columns.size(), spec.columns.empty());
  std::vector<size_t> ts_columns;
  for (size_t i = 0; i < m.columns.size(); ++i) {
    const std::string& n = m.columns[i].name;
    bool pred = false;
    // A column whose type no predicate on it can match is null on every matching row
    // (a field has one type per event): neither decoded nor returned.
    bool never = false;
    for (const auto& pr : spec.predicates) {
      if (!PredicateReads(pr, n, m.columns[i].type)) continue;
      pred = true;
      never = never || (!IsEventSearch(pr) && !PredicateMayMatchType(pr, m.columns[i].type));
    }
    if (n == "@timestamp" && !pred) ts_columns.push_back(i);
    pred = pred || n == "@timestamp";
    // A String column of a field the query only compares with numbers is never read.
    if (!pred && m.columns[i].type == Type::kString &&
        std::find(spec.numeric_only.begin(), spec.numeric_only.end(), n) != spec.numeric_only.end())
      never = true;
    ps.first_all[i] = pred && !never;
    if (std::find(spec.columns.begin(), spec.columns.end(), n) != spec.columns.end())
      ps.rest_all[i] = true;
    if (pred || never) ps.rest_all[i] = false;
  }
  ps.first_inside = ps.first_all;
  ps.rest_inside = ps.rest_all;
  for (size_t i : ts_columns) {
    ps.first_inside[i] = false;
    ps.rest_inside[i] = true;
  }
  for (const auto& pr : spec.predicates) {
    if (!ps.eq && pr.op == PrunePredicate::Op::kEq && pr.literal.type() == Type::kString) ps.eq = &pr;
    // An event search reads every String field: find its candidates in place. (A search
    // in one column decodes that column and tests it, as any predicate: faster than a
    // search in place followed by decoding the picked rows.)
    if (!ps.search && IsEventSearch(pr) && !std::get<std::string>(pr.literal.v).empty()) ps.search = &pr;
  }
  // A field whose name holds the searched text makes every row with it a candidate:
  // such parts take the plain path (decode the predicate columns, then test).
  if (ps.search != nullptr) {
    for (const PartColumn& c : m.columns) {
      if (EventSearchNameMatches(*ps.search, c.name)) {
        ps.search = nullptr;
        break;
      }
    }
  }
  return ps;
}

// One block's outcome: its matching rows (none: rows == 0) and its share of the stats.
struct BlockResult {
  Status status;
  Batch rows;
  ScanStats stats;
  bool read = false;  // not skipped by its index
};

// Puts the columns of a block's batch back in the block's chunk order (the event's field
// order, which @message renders), however the two column sets were decoded.
void OrderLikeBlock(const PartMeta& m, const BlockMeta& block, Batch* batch) {
  auto rank = [&](const Column& c) {
    for (size_t j = 0; j < block.chunks.size(); ++j) {
      const PartColumn& pc = m.columns[block.chunks[j].column];
      if (pc.type == c.type && pc.name == c.name) return j;
    }
    return block.chunks.size();
  };
  std::vector<std::pair<size_t, size_t>> order;  // (rank, current index)
  order.reserve(batch->columns.size());
  for (size_t i = 0; i < batch->columns.size(); ++i) order.emplace_back(rank(batch->columns[i]), i);
  if (std::is_sorted(order.begin(), order.end())) return;
  std::sort(order.begin(), order.end());
  std::vector<Column> sorted;
  sorted.reserve(order.size());
  for (const auto& [r, i] : order) sorted.push_back(std::move(batch->columns[i]));
  batch->columns = std::move(sorted);
}

// The rows of block b that may pass ps.eq (equal on codes) or else ps.search (an event
// search: some String field contains the text).
Status FindCandidates(const PartScan& ps, size_t b, std::vector<uint32_t>* cand, uint64_t* bytes_read) {
  const Part& p = *ps.part;
  const PartMeta& m = p.meta();
  if (ps.eq != nullptr) {
    const ChunkMeta* chunk = FindChunk(m, m.blocks[b], ps.eq->column, Type::kString);
    if (chunk == nullptr) return Status::OK();
    return p.FindEqual(b, *chunk, std::get<std::string>(ps.eq->literal.v), cand, bytes_read);
  }
  const PrunePredicate& pr = *ps.search;
  const std::string& text = std::get<std::string>(pr.literal.v);
  const bool or_escaped = MayMatchInsideEscapes(text);
  std::vector<uint8_t> hit(m.blocks[b].rows, 0);
  std::vector<uint32_t> found;
  for (const ChunkMeta& c : m.blocks[b].chunks) {
    const PartColumn& col = m.columns[c.column];
    if (col.type != Type::kString || !PredicateReads(pr, col.name, col.type)) continue;
    RETURN_IF_ERROR(p.FindContaining(b, c, text, or_escaped, &found, bytes_read));
    for (uint32_t r : found) hit[r] = 1;
  }
  for (size_t r = 0; r < hit.size(); ++r)
    if (hit[r]) cand->push_back(static_cast<uint32_t>(r));
  return Status::OK();
}

Status ScanBlockInto(const PartScan& ps, size_t b, BlockResult* out) {
  const Part& p = *ps.part;
  const ScanSpec& spec = *ps.spec;
  const PartMeta& m = p.meta();
  ScanStats* st = &out->stats;
  switch (CheckBlock(m, m.blocks[b], spec)) {
    case BlockVerdict::kSkipTime: return Status::OK();
    case BlockVerdict::kSkipMinMax: st->blocks_skipped_minmax++; return Status::OK();
    case BlockVerdict::kSkipBloom: st->blocks_skipped_bloom++; return Status::OK();
    case BlockVerdict::kRead: break;
  }
  out->read = true;
  const bool inside = m.blocks[b].min_ts >= spec.min_ts && m.blocks[b].max_ts <= spec.max_ts;
  const std::vector<bool>& first = inside ? ps.first_inside : ps.first_all;
  const std::vector<bool>& rest = inside ? ps.rest_inside : ps.rest_all;
  if (ps.eq != nullptr || ps.search != nullptr) {
    // Find the candidate rows on the encoded chunks (a string equality on dictionary
    // codes, an event search in place), then decode the predicate columns for those rows
    // only, and the others only for the rows that pass. Chunks read twice so are
    // decompressed once (ChunkMemo).
    ChunkMemo memo;
    std::vector<uint32_t> cand;
    RETURN_IF_ERROR(FindCandidates(ps, b, &cand, &st->bytes_read));
    st->rows_scanned += m.blocks[b].rows;
    if (cand.empty()) return Status::OK();
    ASSIGN_OR_RETURN(Batch picked, p.ReadBlockRows(b, &first, cand, &st->bytes_read));
    std::vector<uint32_t> rows = MatchingRows(picked, spec);
    if (rows.empty()) return Status::OK();
    if (rows.size() < picked.rows) {
      picked = Gather(picked, rows, [](const std::string&) { return true; });
      for (size_t i = 0; i < rows.size(); ++i) rows[i] = cand[rows[i]];
    } else {
      rows = std::move(cand);
    }
    ASSIGN_OR_RETURN(Batch others, p.ReadBlockRows(b, &rest, rows, &st->bytes_read));
    for (Column& c : others.columns) picked.columns.push_back(std::move(c));
    OrderLikeBlock(m, m.blocks[b], &picked);
    out->rows = std::move(picked);
    return Status::OK();
  }
  ASSIGN_OR_RETURN(Batch block, p.ReadBlock(b, &first, &st->bytes_read));
  st->rows_scanned += block.rows;
  std::vector<uint32_t> rows = MatchingRows(block, spec);
  if (rows.empty()) return Status::OK();
  // A selective match decodes only its rows of the other columns.
  bool few = rows.size() * 8 < block.rows;
  Batch others;
  if (few) {
    ASSIGN_OR_RETURN(others, p.ReadBlockRows(b, &rest, rows, &st->bytes_read));
  } else {
    ASSIGN_OR_RETURN(others, p.ReadBlock(b, &rest, &st->bytes_read));
  }
  if (few) {
    block = Gather(block, rows, [](const std::string&) { return true; });
  } else if (rows.size() < block.rows) {
    for (Column& c : others.columns) block.columns.push_back(std::move(c));
    others.columns.clear();
    block = Gather(block, rows, [](const std::string&) { return true; });
  }
  for (Column& c : others.columns) block.columns.push_back(std::move(c));
  OrderLikeBlock(m, m.blocks[b], &block);
  out->rows = std::move(block);
  return Status::OK();
}

BlockResult ScanBlock(const PartScan& ps, size_t b) {
  BlockResult r;
  r.status = ScanBlockInto(ps, b, &r);
  return r;
}

void AddStats(const ScanStats& from, ScanStats* to) {
  to->blocks_skipped_minmax += from.blocks_skipped_minmax;
  to->blocks_skipped_bloom += from.blocks_skipped_bloom;
  to->rows_scanned += from.rows_scanned;
  to->bytes_read += from.bytes_read;
}

// How many blocks past the one the sink last got the helper thread of a part scan may
// decode.
constexpr size_t kScanAhead = 4;

}  // namespace

Status EmbeddedStore::ScanPart(const Part& p, const ScanSpec& spec, const ScanSink& sink,
                               ScanStats* st, bool* stop) {
  const PartMeta& m = p.meta();
  st->parts_total++;
  st->blocks_total += m.blocks.size();
  if (m.max_ts < spec.min_ts || m.min_ts > spec.max_ts) {
    st->parts_skipped++;
    return Status::OK();
  }
  const PartScan ps = PlanPartScan(p, spec);
  bool read_any = false;
  // Hands one block's outcome to the sink; results arrive in block order, so the rows a
  // scan returns and its stats do not depend on which thread decoded a block.
  auto deliver = [&](BlockResult& r) {
    AddStats(r.stats, st);
    read_any = read_any || r.read;
    RETURN_IF_ERROR(r.status);
    if (r.rows.rows > 0 && !sink(std::move(r.rows))) *stop = true;
    return Status::OK();
  };
  const size_t n = m.blocks.size();
  Status s;
  if (n < 2 || std::thread::hardware_concurrency() < 2) {
    for (size_t b = 0; b < n && !*stop && s.ok(); ++b) {
      BlockResult r = ScanBlock(ps, b);
      s = deliver(r);
    }
  } else {
    // Two decoders sharing the blocks in order: each claims the next unclaimed block at
    // most kScanAhead blocks ahead of the sink. This thread also runs the sink (the
    // query's operators) and decodes only while the block it needs next is not ready:
    // heavy operators leave the decoding to the helper, light ones split it evenly.
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::optional<BlockResult>> slots(n);  // guarded by mu, like the counters
    size_t next_claim = 0, delivered = 0;
    bool quit = false;
    std::thread helper([&] {
      for (;;) {
        size_t b;
        {
          std::unique_lock l(mu);
          cv.wait(l, [&] { return quit || next_claim >= n || next_claim < delivered + kScanAhead; });
          if (quit || next_claim >= n) return;
          b = next_claim++;
        }
        BlockResult r = ScanBlock(ps, b);
        std::lock_guard l(mu);
        slots[b] = std::move(r);
        cv.notify_all();
      }
    });
    for (size_t b = 0; b < n && !*stop && s.ok(); ++b) {
      BlockResult r;
      {
        std::unique_lock l(mu);
        // Until block b is decoded, decode the next unclaimed block (b itself, or one
        // after the block the helper is working on) instead of waiting.
        while (!slots[b].has_value()) {
          if (next_claim < n && next_claim < b + kScanAhead) {
            const size_t c = next_claim++;
            l.unlock();
            BlockResult mine = ScanBlock(ps, c);
            l.lock();
            slots[c] = std::move(mine);
          } else {
            cv.wait(l);
          }
        }
        r = std::move(*slots[b]);
        slots[b].reset();
        delivered = b + 1;
        cv.notify_all();
      }
      s = deliver(r);
    }
    {
      std::lock_guard l(mu);
      quit = true;
      cv.notify_all();
    }
    helper.join();
  }
  RETURN_IF_ERROR(s);
  if (!read_any) st->parts_skipped++;
  return Status::OK();
}

Status EmbeddedStore::Scan(const ScanSpec& spec, const ScanSink& sink, ScanStats* stats) {
  ScanStats local;
  ScanStats* st = stats ? stats : &local;
  std::vector<MemTable::Chunk> chunks;
  PartList parts;
  {
    std::lock_guard l(mu_);
    if (closed_) return Status::Unavailable("store is closed");
    for (const auto& m : imm_) chunks.insert(chunks.end(), m->Chunks().begin(), m->Chunks().end());
    chunks.insert(chunks.end(), mem_->Chunks().begin(), mem_->Chunks().end());
    for (const auto& [name, list] : parts_) parts.insert(parts.end(), list.begin(), list.end());
  }
  auto want = [&](const std::string& n) {
    if (spec.columns.empty() || n == "@timestamp") return true;
    if (std::find(spec.columns.begin(), spec.columns.end(), n) != spec.columns.end()) return true;
    for (const auto& p : spec.predicates)
      if (p.column == n || IsEventSearch(p)) return true;
    return false;
  };
  bool stop = false;
  for (const auto& p : parts) {
    if (stop) break;
    RETURN_IF_ERROR(ScanPart(*p, spec, sink, st, &stop));
  }
  for (const auto& c : chunks) {
    if (stop) break;
    st->rows_scanned += c->rows;
    std::vector<uint32_t> rows = MatchingRows(*c, spec);
    if (rows.empty()) continue;
    if (!sink(Gather(*c, rows, want))) stop = true;
  }
  return Status::OK();
}

StoreStats EmbeddedStore::Stats() {
  StoreStats s;
  std::lock_guard l(mu_);
  s.memtable_rows = mem_->rows();
  s.memtable_bytes = mem_->bytes();
  for (const auto& m : imm_) {
    s.memtable_rows += m->rows();
    s.memtable_bytes += m->bytes();
  }
  s.wal_bytes = wal_ ? wal_->TotalBytes() : 0;
  for (const auto& [name, list] : parts_) {
    PartitionStats ps;
    ps.partition = name;
    ps.parts = list.size();
    for (const auto& p : list) {
      ps.rows += p->meta().rows;
      ps.bytes += p->meta().data_bytes;
    }
    if (list.size() >= kMergeMinParts) s.merge_backlog++;
    s.partitions.push_back(std::move(ps));
  }
  uint64_t cumulative = 0;
  for (size_t i = 0; i < std::size(kFsyncBounds); ++i) {
    cumulative += fsync_.buckets[i];
    s.fsync_buckets.emplace_back(kFsyncBounds[i], cumulative);
  }
  s.fsync_count = fsync_.count;
  s.fsync_sum_seconds = static_cast<double>(fsync_.sum_ns.load()) / 1e9;
  return s;
}

Status EmbeddedStore::Close() {
  {
    std::unique_lock l(mu_);
    if (closed_ || closing_) return Status::OK();
    closing_ = true;  // refuse new appends; let the in-flight ones land
    stopping_ = true;  // a background merge in progress gives up (its inputs stay)
    cv_.notify_all();
    cv_.wait(l, [&] { return inflight_ == 0; });
  }
  Status s = opt_.read_only || !wal_ ? Status::OK() : Flush();
  {
    std::lock_guard l(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  for (auto& t : flushers_) t.join();
  flushers_.clear();
  if (merger_.joinable()) merger_.join();
  wal_.reset();
  // Everything is in parts now: the WAL holds nothing a restart would replay.
  if (s.ok() && !opt_.read_only) s = RemoveWalSegments();
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
  return s;
}

// REQUIRES: no writer is open and every WAL record is at or below FLUSHED.
Status EmbeddedStore::RemoveWalSegments() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(wal_dir_, ec)) {
    std::string name = e.path().filename().string();
    if (HasPrefix(name, "wal-") && name.ends_with(".log")) fs::remove(e.path(), ec);
    if (ec) return Status::IOError("remove " + e.path().string() + ": " + ec.message());
  }
  return fs::exists(wal_dir_) ? FsyncDir(wal_dir_) : Status::OK();
}

}  // namespace

Result<std::unique_ptr<Store>> OpenEmbeddedStore(const EmbeddedOptions& options) {
  auto store = std::make_unique<EmbeddedStore>(options);
  RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace vigil
