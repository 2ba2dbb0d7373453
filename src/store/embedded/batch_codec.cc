// WAL record payload: a whole Batch (docs/formats/wal.md, "batch payload").
//
// Version 2 (written): [u8 2][u8 1 = zstd, 0 = stored][varint raw size][body], raw being
//   [varint rows][varint columns], then per column:
//   [varint name length][name][u8 type][rows validity bytes (0/1)][values]
//   values: bool/int: rows x int64 LE; float: rows x float64 LE;
//           string: rows x varint length, then the concatenated bytes.
// A flat copy of the vectors, compressed once at a fast level: the log is written for
// every acknowledged batch and read only after a crash, so encoding speed wins over size.
// Version 1 (read only): per column [name][u8 type][varint length][column chunk].
#include "store/embedded/batch_codec.h"

#include <zstd.h>

#include <cstring>
#include <memory>

#include "core/varint.h"
#include "store/embedded/column_codec.h"

namespace vigil {

namespace {

constexpr uint8_t kVersionChunks = 1;
constexpr uint8_t kVersionRaw = 2;
constexpr uint64_t kMaxRows = 1ull << 28;
constexpr uint64_t kMaxColumns = 1ull << 16;
constexpr uint64_t kMaxRawBytes = 1ull << 32;

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

void AppendRaw(const void* p, size_t n, std::string* out) {
  out->append(static_cast<const char*>(p), n);
}

void EncodeRaw(const Batch& batch, std::string* raw) {
  PutVarint(raw, batch.rows);
  PutVarint(raw, batch.columns.size());
  for (const Column& c : batch.columns) {
    PutString(raw, c.name);
    raw->push_back(static_cast<char>(c.type));
    AppendRaw(c.valid.data(), batch.rows, raw);
    switch (c.type) {
      case Type::kBool:
      case Type::kInt: AppendRaw(c.ints.data(), batch.rows * 8, raw); break;
      case Type::kFloat: AppendRaw(c.floats.data(), batch.rows * 8, raw); break;
      case Type::kString:
        for (size_t i = 0; i < batch.rows; ++i) PutVarint(raw, c.strs[i].size());
        if (c.strs.contiguous()) {
          raw->append(c.strs.ContiguousData());
        } else {
          for (size_t i = 0; i < batch.rows; ++i) raw->append(c.strs[i]);
        }
        break;
      case Type::kNull: break;
    }
  }
}

Result<Batch> DecodeRaw(std::string_view raw) {
  const char* p = raw.data();
  const char* end = raw.data() + raw.size();
  auto take = [&](void* dst, size_t n) {
    if (static_cast<size_t>(end - p) < n) return false;
    std::memcpy(dst, p, n);
    p += n;
    return true;
  };
  auto varint = [&](uint64_t* v) {
    ByteReader r(std::string_view(p, static_cast<size_t>(end - p)));
    size_t before = r.remaining();
    if (!r.Varint(v)) return false;
    p += before - r.remaining();
    return true;
  };
  uint64_t rows, ncols;
  if (!varint(&rows) || !varint(&ncols) || rows > kMaxRows || ncols > kMaxColumns)
    return Status::Corruption("batch: bad header");
  Batch b;
  b.rows = rows;
  b.columns.reserve(ncols);
  for (uint64_t i = 0; i < ncols; ++i) {
    uint64_t name_len;
    uint8_t type;
    if (!varint(&name_len) || name_len > static_cast<uint64_t>(end - p))
      return Status::Corruption("batch: bad column name");
    Column& c = b.columns.emplace_back();
    c.name.assign(p, name_len);
    p += name_len;
    if (!take(&type, 1) || type < 1 || type > 4) return Status::Corruption("batch: bad type");
    c.type = static_cast<Type>(type);
    if (static_cast<size_t>(end - p) < rows) return Status::Corruption("batch: truncated");
    c.valid.assign(p, p + rows);
    p += rows;
    if (c.type == Type::kInt || c.type == Type::kBool) {
      c.ints.resize(rows);
      if (!take(c.ints.data(), rows * 8)) return Status::Corruption("batch: truncated ints");
    } else if (c.type == Type::kFloat) {
      c.floats.resize(rows);
      if (!take(c.floats.data(), rows * 8)) return Status::Corruption("batch: truncated floats");
    } else {
      std::vector<uint64_t> lens(rows);
      uint64_t total = 0;
      for (auto& len : lens) {
        if (!varint(&len)) return Status::Corruption("batch: bad string length");
        total += len;
      }
      if (total > static_cast<uint64_t>(end - p)) return Status::Corruption("batch: truncated strings");
      c.strs.reserve(rows, total);
      for (uint64_t len : lens) {
        c.strs.push_back(std::string_view(p, len));
        p += len;
      }
    }
  }
  if (p != end) return Status::Corruption("batch: trailing bytes");
  return b;
}

Result<Batch> DecodeChunks(ByteReader& r) {
  uint64_t rows, ncols;
  if (!r.Varint(&rows) || !r.Varint(&ncols) || rows > kMaxRows || ncols > kMaxColumns)
    return Status::Corruption("batch: bad header");
  Batch b;
  b.rows = rows;
  b.columns.reserve(ncols);
  for (uint64_t i = 0; i < ncols; ++i) {
    std::string_view name, chunk;
    uint8_t type;
    if (!r.String(&name) || !r.Byte(&type) || !r.String(&chunk) || type < 1 || type > 4)
      return Status::Corruption("batch: bad column header");
    Column& c = b.columns.emplace_back();
    c.name = std::string(name);
    c.type = static_cast<Type>(type);
    RETURN_IF_ERROR(DecodeColumnChunk(chunk, c.type, rows, &c));
    if (c.size() != rows) return Status::Corruption("batch: column row count mismatch");
  }
  return b;
}

}  // namespace

void EncodeBatch(const Batch& batch, int zstd_level, std::string* out) {
  thread_local std::string raw;
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  raw.clear();
  EncodeRaw(batch, &raw);
  out->push_back(static_cast<char>(kVersionRaw));
  size_t flag = out->size();
  out->push_back(1);
  PutVarint(out, raw.size());
  size_t pos = out->size();
  size_t bound = ZSTD_compressBound(raw.size());
  out->resize(pos + bound);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, zstd_level);
  size_t n = ZSTD_compress2(cctx.get(), out->data() + pos, bound, raw.data(), raw.size());
  if (ZSTD_isError(n)) {  // only on memory exhaustion: keep the record valid, uncompressed
    (*out)[flag] = 0;
    out->resize(pos);
    out->append(raw);
    return;
  }
  out->resize(pos + n);
}

Result<Batch> DecodeBatch(std::string_view in) {
  ByteReader r(in);
  uint8_t version;
  if (!r.Byte(&version)) return Status::Corruption("batch: empty");
  if (version == kVersionChunks) return DecodeChunks(r);
  if (version != kVersionRaw) return Status::Corruption("batch: bad version");
  uint8_t compressed;
  uint64_t raw_size;
  if (!r.Byte(&compressed) || compressed > 1 || !r.Varint(&raw_size) || raw_size > kMaxRawBytes)
    return Status::Corruption("batch: bad header");
  std::string_view body = in.substr(in.size() - r.remaining());
  if (!compressed) {
    if (body.size() != raw_size) return Status::Corruption("batch: bad stored size");
    return DecodeRaw(body);
  }
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  std::string raw(raw_size, '\0');
  size_t n = ZSTD_decompressDCtx(dctx.get(), raw.data(), raw.size(), body.data(), body.size());
  if (ZSTD_isError(n) || n != raw_size) return Status::Corruption("batch: bad zstd frame");
  return DecodeRaw(raw);
}

}  // namespace vigil
