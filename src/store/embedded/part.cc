// Part writer and reader. data.bin is the concatenation of column chunks (column_codec.h);
// index.bin is part_meta's encoding. Layout: docs/formats/part.md.
#include "store/embedded/part.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "store/embedded/bloom_filter.h"
#include "store/embedded/column_codec.h"
#include "store/embedded/file_util.h"

namespace vigil {

namespace fs = std::filesystem;

namespace {
constexpr size_t kWriteBuffer = 1 << 20;
constexpr int kBloomBitsPerKey = 10;  // ~1% false positives
// Id lookups read every block whose filter says maybe: keep false positives rare.
constexpr int kBloomBitsPerId = 16;
constexpr int kBloomBitsPerWord = 8;  // ~2%
constexpr size_t kMaxBloomKeysOther = 2048;

// Removes duplicate hashes in place (order not kept) with a flat open-addressing set:
// several times cheaper than sorting for the block-sized inputs of a bloom filter.
void DedupHashes(std::vector<uint64_t>* keys) {
  size_t cap = 16;
  while (cap < keys->size() * 2) cap <<= 1;
  std::vector<uint64_t> table(cap, 0);
  bool seen_zero = false;
  size_t out = 0;
  for (uint64_t k : *keys) {
    if (k == 0) {  // 0 marks an empty slot, so track it apart
      if (!seen_zero) (*keys)[out++] = 0;
      seen_zero = true;
      continue;
    }
    for (size_t i = k & (cap - 1);; i = (i + 1) & (cap - 1)) {
      if (table[i] == k) break;
      if (table[i] == 0) {
        table[i] = k;
        (*keys)[out++] = k;
        break;
      }
    }
  }
  keys->resize(out);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

std::string PartDirName(uint64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, id);
  return buf;
}

std::string TempPartDirName(uint64_t id) { return "tmp-" + PartDirName(id); }

Result<std::unique_ptr<PartWriter>> PartWriter::Create(const std::string& partition_dir,
                                                       PartMeta header,
                                                       PartWriterOptions options) {
  std::unique_ptr<PartWriter> w(new PartWriter());
  w->partition_dir_ = partition_dir;
  w->tmp_dir_ = partition_dir + "/" + TempPartDirName(header.id);
  w->options_ = std::move(options);
  w->meta_ = std::move(header);
  w->meta_.rows = 0;
  w->meta_.blocks.clear();
  w->meta_.columns.clear();
  std::error_code ec;
  fs::create_directories(w->tmp_dir_, ec);
  if (ec) return Status::IOError("create " + w->tmp_dir_ + ": " + ec.message());
  std::string data = w->tmp_dir_ + "/data.bin";
  w->fd_ = ::open(data.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (w->fd_ < 0) return Status::FromErrno("open " + data);
  return w;
}

PartWriter::~PartWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!finished_) {
    std::error_code ec;
    fs::remove_all(tmp_dir_, ec);
  }
}

uint32_t PartWriter::ColumnIndex(const Column& c) {
  std::string key = c.name;
  key.push_back('\0');
  key.push_back(static_cast<char>(c.type));
  auto [it, added] = column_index_.emplace(key, static_cast<uint32_t>(meta_.columns.size()));
  if (added) meta_.columns.push_back({c.name, c.type});
  return it->second;
}

void PartWriter::AddChunkMeta(const Column& c, size_t begin, size_t end, ChunkMeta* m) const {
  if (c.type == Type::kString) {
    // Ids: whole values. Text: words only (an equality lookup checks the literal's words).
    // Others: whole values while the block has few distinct ones; a filter over a
    // high-cardinality free-form column costs more disk than the blocks it would skip.
    bool id = Contains(options_.id_fields, c.name);
    bool words = !id && Contains(options_.text_fields, c.name);
    std::vector<uint64_t> keys;
    for (size_t i = begin; i < end; ++i) {
      if (!c.valid[i]) continue;
      std::string_view v = c.strs[i];
      if (words) {
        ForEachToken(v, [&](std::string_view t) { keys.push_back(BloomHash(t)); });
      } else {
        keys.push_back(BloomHash(v));
      }
    }
    DedupHashes(&keys);
    if (!id && !words && keys.size() > kMaxBloomKeysOther) return;
    m->bloom = BuildBloom(keys, id ? kBloomBitsPerId : words ? kBloomBitsPerWord : kBloomBitsPerKey);
    m->bloom_has_tokens = words;
    return;
  }
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = begin; i < end; ++i) {
    if (!c.valid[i]) continue;
    double v = c.type == Type::kFloat ? c.floats[i] : static_cast<double>(c.ints[i]);
    if (std::isnan(v)) return;  // NaN compares false with everything: no safe bounds
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo > hi) return;
  // int64 -> double may round inward; widen by one ulp so pruning stays conservative.
  m->has_minmax = true;
  m->min = std::nextafter(lo, -INFINITY);
  m->max = std::nextafter(hi, INFINITY);
}

Status PartWriter::WriteBlock(const Batch& rows, size_t begin, size_t end) {
  if (begin >= end) return Status::OK();
  const Column* ts = rows.Find("@timestamp", Type::kInt);
  if (ts == nullptr) return Status::InvalidArgument("part writer: rows without @timestamp");
  BlockMeta block;
  block.rows = static_cast<uint32_t>(end - begin);
  block.min_ts = INT64_MAX;
  block.max_ts = INT64_MIN;
  for (size_t i = begin; i < end; ++i) {
    block.min_ts = std::min(block.min_ts, ts->ints[i]);
    block.max_ts = std::max(block.max_ts, ts->ints[i]);
  }
  for (const Column& c : rows.columns) {
    if (std::find(c.valid.begin() + begin, c.valid.begin() + end, 1) == c.valid.begin() + end)
      continue;  // no value in this block
    ChunkMeta m;
    m.column = ColumnIndex(c);
    m.offset = meta_.data_bytes + buffer_.size();
    size_t before = buffer_.size();
    EncodeColumnChunk(c, begin, end, options_.zstd_level, &buffer_);
    m.length = static_cast<uint32_t>(buffer_.size() - before);
    AddChunkMeta(c, begin, end, &m);
    block.chunks.push_back(std::move(m));
    if (buffer_.size() >= kWriteBuffer) RETURN_IF_ERROR(FlushBuffer());
  }
  if (meta_.rows == 0) {
    meta_.min_ts = block.min_ts;
    meta_.max_ts = block.max_ts;
  }
  meta_.min_ts = std::min(meta_.min_ts, block.min_ts);
  meta_.max_ts = std::max(meta_.max_ts, block.max_ts);
  meta_.rows += block.rows;
  meta_.blocks.push_back(std::move(block));
  return Status::OK();
}

Status PartWriter::FlushBuffer() {
  std::string_view data = buffer_;
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("write " + tmp_dir_ + "/data.bin");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  meta_.data_bytes += buffer_.size();
  buffer_.clear();
  return Status::OK();
}

Result<PartMeta> PartWriter::Finish() {
  RETURN_IF_ERROR(FlushBuffer());
  if (::fdatasync(fd_) != 0) return Status::FromErrno("fdatasync " + tmp_dir_ + "/data.bin");
  ::close(fd_);
  fd_ = -1;
  RETURN_IF_ERROR(WriteFileSync(tmp_dir_ + "/index.bin", EncodePartMeta(meta_)));
  RETURN_IF_ERROR(FsyncDir(tmp_dir_));
  std::string final_dir = partition_dir_ + "/" + PartDirName(meta_.id);
  if (::rename(tmp_dir_.c_str(), final_dir.c_str()) != 0)
    return Status::FromErrno("rename " + tmp_dir_);
  finished_ = true;
  RETURN_IF_ERROR(FsyncDir(partition_dir_));
  return meta_;
}

Result<std::shared_ptr<Part>> Part::Open(const std::string& dir) {
  ASSIGN_OR_RETURN(std::string index, ReadFileToString(dir + "/index.bin"));
  auto meta = DecodePartMeta(index);
  if (!meta.ok()) return Status::Corruption(dir + ": " + meta.status().message());
  std::shared_ptr<Part> p(new Part());
  p->dir_ = dir;
  p->partition_ = fs::path(dir).parent_path().filename().string();
  p->meta_ = std::move(meta).value();
  std::string data = dir + "/data.bin";
  p->fd_ = ::open(data.c_str(), O_RDONLY | O_CLOEXEC);
  if (p->fd_ < 0) {
    if (errno == ENOENT) return Status::NotFound(data);
    return Status::FromErrno("open " + data);
  }
  struct stat st;
  if (::fstat(p->fd_, &st) != 0) return Status::FromErrno("stat " + data);
  if (static_cast<uint64_t>(st.st_size) < p->meta_.data_bytes)
    return Status::Corruption(data + ": shorter than its index says");
  return p;
}

Part::~Part() {
  if (fd_ >= 0) ::close(fd_);
}

Status Part::ReadChunkBytes(const ChunkMeta& chunk, std::string* buf, uint64_t* bytes_read) const {
  buf->assign(chunk.length, '\0');
  size_t done = 0;
  while (done < buf->size()) {
    ssize_t n = ::pread(fd_, buf->data() + done, buf->size() - done,
                        static_cast<off_t>(chunk.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("pread " + dir_);
    if (n == 0) return Status::Corruption(dir_ + ": data.bin truncated");
    done += static_cast<size_t>(n);
  }
  if (bytes_read) *bytes_read += chunk.length;
  return Status::OK();
}

Status Part::ReadChunk(const ChunkMeta& chunk, uint32_t block_rows, Column* out,
                       uint64_t* bytes_read) const {
  std::string buf;
  RETURN_IF_ERROR(ReadChunkBytes(chunk, &buf, bytes_read));
  Status s = DecodeColumnChunk(buf, out->type, block_rows, out);
  if (!s.ok()) return Status::Corruption(dir_ + ": " + s.message());
  return Status::OK();
}

Status Part::FindEqual(size_t block, const ChunkMeta& chunk, std::string_view literal,
                       std::vector<uint32_t>* rows, uint64_t* bytes_read) const {
  std::string buf;
  RETURN_IF_ERROR(ReadChunkBytes(chunk, &buf, bytes_read));
  Status s = FindEqualRows(buf, meta_.blocks[block].rows, literal, rows);
  if (!s.ok()) return Status::Corruption(dir_ + ": " + s.message());
  return Status::OK();
}

Status Part::FindContaining(size_t block, const ChunkMeta& chunk, std::string_view needle,
                            bool or_escaped, std::vector<uint32_t>* rows, uint64_t* bytes_read) const {
  std::string buf;
  RETURN_IF_ERROR(ReadChunkBytes(chunk, &buf, bytes_read));
  Status s = FindContainingRows(buf, meta_.blocks[block].rows, needle, or_escaped, rows);
  if (!s.ok()) return Status::Corruption(dir_ + ": " + s.message());
  return Status::OK();
}

Result<Batch> Part::ReadBlockRows(size_t block, const std::vector<bool>* want,
                                  const std::vector<uint32_t>& pick, uint64_t* bytes_read) const {
  const BlockMeta& b = meta_.blocks[block];
  Batch out;
  out.rows = pick.size();
  std::string buf;
  for (const ChunkMeta& c : b.chunks) {
    if (want && !(*want)[c.column]) continue;
    Column& col = out.columns.emplace_back();
    col.name = meta_.columns[c.column].name;
    col.type = meta_.columns[c.column].type;
    RETURN_IF_ERROR(ReadChunkBytes(c, &buf, bytes_read));
    Status s = DecodeColumnChunkRows(buf, col.type, b.rows, pick, &col);
    if (!s.ok()) return Status::Corruption(dir_ + ": " + s.message());
  }
  return out;
}

Result<Batch> Part::ReadBlock(size_t block, const std::vector<bool>* want,
                              uint64_t* bytes_read) const {
  const BlockMeta& b = meta_.blocks[block];
  Batch out;
  out.rows = b.rows;
  for (const ChunkMeta& c : b.chunks) {
    if (want && !(*want)[c.column]) continue;
    Column& col = out.columns.emplace_back();
    col.name = meta_.columns[c.column].name;
    col.type = meta_.columns[c.column].type;
    RETURN_IF_ERROR(ReadChunk(c, b.rows, &col, bytes_read));
  }
  return out;
}

}  // namespace vigil
