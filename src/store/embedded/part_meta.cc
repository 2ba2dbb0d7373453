// Encoder/decoder of index.bin; the byte layout is specified in docs/formats/part.md.
#include "store/embedded/part_meta.h"

#include <bit>
#include <cstring>

#include "core/varint.h"
#include "store/embedded/crc32c.h"

namespace vigil {

namespace {

constexpr uint32_t kMagic = 0x504c4756;  // "VGLP" little-endian
constexpr uint32_t kVersion = 1;

void PutDouble(std::string* out, double d) { PutFixed64(out, std::bit_cast<uint64_t>(d)); }

bool GetDouble(ByteReader& r, double* d) {
  uint64_t u;
  if (!r.Fixed64(&u)) return false;
  *d = std::bit_cast<double>(u);
  return true;
}

void PutChunk(std::string* out, const ChunkMeta& c) {
  PutVarint(out, c.column);
  PutVarint(out, c.offset);
  PutVarint(out, c.length);
  out->push_back(static_cast<char>((c.has_minmax ? 1 : 0) | (c.bloom_has_tokens ? 2 : 0)));
  if (c.has_minmax) {
    PutDouble(out, c.min);
    PutDouble(out, c.max);
  }
  PutString(out, c.bloom);
}

bool GetChunk(ByteReader& r, ChunkMeta* c) {
  uint64_t col, off, len;
  uint8_t flag;
  std::string_view bloom;
  if (!r.Varint(&col) || !r.Varint(&off) || !r.Varint(&len) || !r.Byte(&flag)) return false;
  c->column = static_cast<uint32_t>(col);
  c->offset = off;
  c->length = static_cast<uint32_t>(len);
  c->has_minmax = (flag & 1) != 0;
  c->bloom_has_tokens = (flag & 2) != 0;
  if (c->has_minmax && (!GetDouble(r, &c->min) || !GetDouble(r, &c->max))) return false;
  if (!r.String(&bloom)) return false;
  c->bloom = std::string(bloom);
  return col < (1u << 20) && len < (1ull << 32);
}

}  // namespace

std::string EncodePartMeta(const PartMeta& m) {
  std::string p;
  PutVarint(&p, m.id);
  PutVarint(&p, m.level);
  PutVarint(&p, m.min_lsn);
  PutVarint(&p, m.max_lsn);
  PutVarint(&p, ZigZag(m.min_ts));
  PutVarint(&p, ZigZag(m.max_ts));
  PutVarint(&p, m.rows);
  PutVarint(&p, m.data_bytes);
  PutVarint(&p, m.replaces.size());
  for (uint64_t id : m.replaces) PutVarint(&p, id);
  PutVarint(&p, m.columns.size());
  for (const auto& c : m.columns) {
    PutString(&p, c.name);
    p.push_back(static_cast<char>(c.type));
  }
  PutVarint(&p, m.blocks.size());
  for (const auto& b : m.blocks) {
    PutVarint(&p, b.rows);
    PutVarint(&p, ZigZag(b.min_ts));
    PutVarint(&p, ZigZag(b.max_ts));
    PutVarint(&p, b.chunks.size());
    for (const auto& c : b.chunks) PutChunk(&p, c);
  }
  std::string out;
  PutFixed32(&out, kMagic);
  PutFixed32(&out, kVersion);
  out += p;
  PutFixed32(&out, crc32c::Mask(crc32c::Value(p.data(), p.size())));
  return out;
}

namespace {

bool DecodeHeader(ByteReader& r, PartMeta* m) {
  uint64_t level, min_ts, max_ts, n;
  if (!r.Varint(&m->id) || !r.Varint(&level) || !r.Varint(&m->min_lsn) ||
      !r.Varint(&m->max_lsn) || !r.Varint(&min_ts) || !r.Varint(&max_ts) || !r.Varint(&m->rows) ||
      !r.Varint(&m->data_bytes) || !r.Varint(&n) || n > r.remaining())
    return false;
  m->level = static_cast<uint32_t>(level);
  m->min_ts = UnZigZag(min_ts);
  m->max_ts = UnZigZag(max_ts);
  m->replaces.resize(n);
  for (auto& id : m->replaces)
    if (!r.Varint(&id)) return false;
  if (!r.Varint(&n) || n > r.remaining()) return false;
  m->columns.resize(n);
  for (auto& c : m->columns) {
    std::string_view name;
    uint8_t type;
    if (!r.String(&name) || !r.Byte(&type) || type < 1 || type > 4) return false;
    c.name = std::string(name);
    c.type = static_cast<Type>(type);
  }
  return true;
}

bool DecodeBlocks(ByteReader& r, PartMeta* m) {
  uint64_t n;
  if (!r.Varint(&n) || n > r.remaining()) return false;
  m->blocks.resize(n);
  uint64_t rows = 0;
  for (auto& b : m->blocks) {
    uint64_t brows, min_ts, max_ts, nchunks;
    if (!r.Varint(&brows) || !r.Varint(&min_ts) || !r.Varint(&max_ts) || !r.Varint(&nchunks) ||
        nchunks > r.remaining() || brows > (1u << 24))
      return false;
    b.rows = static_cast<uint32_t>(brows);
    b.min_ts = UnZigZag(min_ts);
    b.max_ts = UnZigZag(max_ts);
    rows += brows;
    b.chunks.resize(nchunks);
    for (auto& c : b.chunks) {
      if (!GetChunk(r, &c) || c.column >= m->columns.size()) return false;
      if (c.offset > m->data_bytes || c.length > m->data_bytes - c.offset) return false;
    }
  }
  return rows == m->rows;
}

}  // namespace

Result<PartMeta> DecodePartMeta(std::string_view file) {
  if (file.size() < 12) return Status::Corruption("part index: too short");
  uint32_t magic, version, crc;
  std::memcpy(&magic, file.data(), 4);
  std::memcpy(&version, file.data() + 4, 4);
  std::memcpy(&crc, file.data() + file.size() - 4, 4);
  if (magic != kMagic) return Status::Corruption("part index: bad magic");
  if (version != kVersion) return Status::Corruption("part index: unsupported version");
  std::string_view payload = file.substr(8, file.size() - 12);
  if (crc32c::Unmask(crc) != crc32c::Value(payload.data(), payload.size()))
    return Status::Corruption("part index: checksum mismatch");
  PartMeta m;
  ByteReader r(payload);
  if (!DecodeHeader(r, &m) || !DecodeBlocks(r, &m) || r.remaining() != 0)
    return Status::Corruption("part index: malformed");
  return m;
}

}  // namespace vigil
