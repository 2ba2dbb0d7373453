// Column chunk codec (spec: docs/formats/column_chunk.md).
//
//   chunk  [u8 flags][varint raw_size][body: zstd frame, or raw_size bytes stored as is]
//   flags  bits 0-3 encoding, bit 4 validity bitmap present, bit 5 body compressed,
//          bits 6-7 format version (0)
//   body   [validity: ceil(rows/8) bytes, LSB first, only when bit 4][values]
//
// Values exist only for valid rows. Encodings:
//   0 all null      no values and no bitmap (the body is empty)
//   1 int delta     zigzag varints of v[i] - v[i-1] (wrapping), v[-1] = 0   (int, bool)
//   2 float scaled  [u8 k][int delta of round(v * 10^k)], decoded as x / 10^k
//   3 float raw     8-byte little-endian IEEE doubles
//   4 string dict   [varint count][u8 index width 1|2|4][count x (varint len, bytes)]
//                   [one little-endian index per valid row]
//   5 string uuid   [u8 case: 0 lower, 1 upper][16 bytes per valid row]
//   6 string plain  per valid row: [varint len][bytes]
//   7 int scaled    [u8 k, 1..18][int delta of v / 10^k]: every valid value is a multiple
//                   of 10^k (nanosecond timestamps taken from millisecond clocks)
// Varints are LEB128 (7 bits per byte, low group first, at most 10 bytes).
#include "store/embedded/column_codec.h"

#include "core/json_render.h"
#include "core/string_search.h"

#define XXH_INLINE_ALL
#include <lz4.h>
#include <lz4hc.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

namespace vigil {
namespace {

static_assert(std::endian::native == std::endian::little, "chunk format is little-endian");

enum Encoding : uint8_t {
  kAllNull = 0,
  kIntDelta = 1,
  kFloatScaled = 2,
  kFloatRaw = 3,
  kStrDict = 4,
  kStrUuid = 5,
  kStrPlain = 6,
  kIntScaled = 7,
  kIntDict = 8,
};

// Int chunks with at most this many distinct values (and at most half as many as valid
// rows) are dictionary-encoded: one byte per value, decoded by a table lookup.
constexpr size_t kMaxIntDict = 256;
constexpr size_t kMinIntDictRows = 64;
constexpr uint8_t kEncodingMask = 0x0f;
constexpr uint8_t kHasValidity = 0x10;
constexpr uint8_t kCompressed = 0x20;
constexpr uint8_t kLz4 = 0x40;  // with kCompressed: [u64 XXH3-64 of the body][LZ4 block]
constexpr uint8_t kVersionMask = 0x80;
// From this zstd level (vigil compact) plain string chunks also try LZ4HC and keep it
// when its block is at most kLz4Slack times the zstd frame: it decompresses ~3x faster.
constexpr int kLz4FromLevel = 9;
constexpr int kLz4HcLevel = 9;
constexpr double kLz4Slack = 1.3;

constexpr uint64_t kMaxRawSize = 1ull << 30;
// Smaller bodies are stored as is: a zstd frame costs more than it could save.
constexpr size_t kMinCompressBytes = 32;
constexpr size_t kKeepScratchBytes = 16u << 20;
constexpr int kMaxScale = 4;
constexpr double kPow10[kMaxScale + 1] = {1, 10, 100, 1000, 10000};
constexpr double kTwo53 = 9007199254740992.0;
constexpr int kMaxIntScale = 18;

// ---- varints ----

inline char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

void AppendVarint(std::string* s, uint64_t v) {
  char buf[10];
  s->append(buf, PutVarint(buf, v) - buf);
}

// Decodes one varint; nullptr when it is truncated or longer than 64 bits.
inline const uint8_t* GetVarint(const uint8_t* p, const uint8_t* end, uint64_t* v) {
  if (p < end && *p < 0x80) {
    *v = *p;
    return p + 1;
  }
  uint64_t r = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    uint64_t b = *p++;
    if (shift == 63 && b > 1) return nullptr;
    r |= (b & 0x7f) << shift;
    if (b < 0x80) {
      *v = r;
      return p;
    }
  }
  return nullptr;
}

// Same as GetVarint when at least 10 bytes are readable, without per-byte bounds checks.
inline const uint8_t* GetVarintUnchecked(const uint8_t* p, uint64_t* v) {
  uint64_t b = p[0];
  if (b < 0x80) {
    *v = b;
    return p + 1;
  }
  uint64_t r = b & 0x7f;
  b = p[1];
  if (b < 0x80) {  // two bytes: most deltas of timestamps and codes
    *v = r | (b << 7);
    return p + 2;
  }
  r |= (b & 0x7f) << 7;
  for (int i = 2; i < 9; ++i) {
    b = p[i];
    r |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      *v = r;
      return p + i + 1;
    }
  }
  b = p[9];
  if (b > 1) return nullptr;
  *v = r | (b << 63);
  return p + 10;
}

inline uint64_t ZigZag(uint64_t d) { return (d << 1) ^ (0 - (d >> 63)); }
inline uint64_t UnZigZag(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  explicit Reader(std::string_view s)
      : p(reinterpret_cast<const uint8_t*>(s.data())), end(p + s.size()) {}
  size_t left() const { return static_cast<size_t>(end - p); }
  bool Varint(uint64_t* v) {
    const uint8_t* q = GetVarint(p, end, v);
    if (q == nullptr) return false;
    p = q;
    return true;
  }
  bool Byte(uint8_t* b) {
    if (p == end) return false;
    *b = *p++;
    return true;
  }
};

Status Bad(const char* what) { return Status::Corruption(std::string("column chunk: ") + what); }

// ---- per-thread scratch, so steady-state encode/decode does not allocate ----

struct ZstdFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

struct EncodeScratch {
  std::string body;
  std::vector<uint32_t> slots;  // open-addressing table: dictionary id + 1, 0 = empty
  std::vector<std::string_view> dict;
  std::vector<uint64_t> dict_hash;
  std::vector<uint32_t> ids;
  std::unique_ptr<ZSTD_CCtx, ZstdFree> cctx;
};

// A chunk body decompressed while a ChunkMemo was alive on the thread.
struct MemoEntry {
  bool used = false;
  XXH128_hash_t key{};
  std::string body;  // its capacity is kept for the next entry
};

struct DecodeScratch {
  std::unique_ptr<char[]> buf;
  size_t cap = 0;
  int memo_depth = 0;           // live ChunkMemo scopes on this thread
  std::vector<MemoEntry> memo;  // see ChunkMemo; never reallocated while in use
  size_t memo_next = 0;         // the entry to overwrite next (round robin)
  std::vector<std::string_view> dict;
  std::vector<uint32_t> codes;
  std::unique_ptr<ZSTD_DCtx, ZstdFree> dctx;
};

EncodeScratch& EncScratch() {
  thread_local EncodeScratch s;
  return s;
}

DecodeScratch& DecScratch() {
  thread_local DecodeScratch s;
  return s;
}

// How many bodies a ChunkMemo keeps: a block's string chunks, for an event search.
constexpr size_t kMemoEntries = 48;

// The entry for a new body: the next in the ring, overwriting the oldest (never one a
// caller may still be reading: those are the same chunk, found before a new entry).
MemoEntry& NewMemoEntry(DecodeScratch& s) {
  if (s.memo.size() < kMemoEntries) s.memo.resize(kMemoEntries);  // once per thread
  MemoEntry& e = s.memo[s.memo_next];
  s.memo_next = (s.memo_next + 1) % kMemoEntries;
  e.used = false;
  return e;
}

// ---- encoders ----

void AppendBitmap(const uint8_t* valid, size_t rows, std::string* body) {
  size_t mark = body->size();
  body->resize(mark + (rows + 7) / 8);
  auto* bm = reinterpret_cast<uint8_t*>(body->data() + mark);
  for (size_t i = 0; i < rows; ++i)
    if (valid[i]) bm[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
}

// Appends zigzag varints of the deltas of get(i) over the valid rows.
template <typename Get>
void AppendDeltas(const uint8_t* valid, size_t rows, size_t n_valid, Get&& get, std::string* body) {
  size_t mark = body->size();
  body->resize(mark + n_valid * 10);
  char* p = body->data() + mark;
  uint64_t prev = 0;
  for (size_t i = 0; i < rows; ++i) {
    if (!valid[i]) continue;
    uint64_t u = static_cast<uint64_t>(get(i));
    p = PutVarint(p, ZigZag(u - prev));
    prev = u;
  }
  body->resize(static_cast<size_t>(p - body->data()));
}

constexpr std::array<int64_t, kMaxIntScale + 1> MakeIntPow10() {
  std::array<int64_t, kMaxIntScale + 1> p{};
  p[0] = 1;
  for (int i = 1; i <= kMaxIntScale; ++i) p[i] = p[i - 1] * 10;
  return p;
}
constexpr std::array<int64_t, kMaxIntScale + 1> kIntPow10 = MakeIntPow10();

// Appends the int dict body (count, sorted distinct values as the first one zigzagged and
// then unsigned steps, one index byte per valid value) and returns true when the valid
// values have few enough distinct ones; else appends nothing.
bool EncodeIntDict(const int64_t* v, const uint8_t* valid, size_t rows, size_t n_valid,
                   std::string* body) {
  if (n_valid < kMinIntDictRows) return false;
  const size_t limit = std::min(kMaxIntDict, n_valid / 2);
  // Open addressing over 2 x limit slots; stops at the first value past the limit.
  constexpr size_t kSlots = 2 * kMaxIntDict;
  std::array<int64_t, kSlots> keys;
  std::array<uint8_t, kSlots> used{};
  std::vector<int64_t> distinct;
  distinct.reserve(limit + 1);
  for (size_t i = 0; i < rows; ++i) {
    if (!valid[i]) continue;
    size_t h = (static_cast<uint64_t>(v[i]) * 0x9E3779B97F4A7C15ull) >> 55;  // 9 bits
    while (used[h] && keys[h] != v[i]) h = (h + 1) % kSlots;
    if (used[h]) continue;
    if (distinct.size() == limit) return false;
    used[h] = 1;
    keys[h] = v[i];
    distinct.push_back(v[i]);
  }
  std::sort(distinct.begin(), distinct.end());
  AppendVarint(body, distinct.size());
  AppendVarint(body, ZigZag(distinct[0]));
  for (size_t k = 1; k < distinct.size(); ++k)
    AppendVarint(body, static_cast<uint64_t>(distinct[k]) - static_cast<uint64_t>(distinct[k - 1]));
  const size_t mark = body->size();
  body->resize(mark + n_valid);
  char* out = body->data() + mark;
  for (size_t i = 0; i < rows; ++i) {
    if (!valid[i]) continue;
    *out++ = static_cast<char>(std::lower_bound(distinct.begin(), distinct.end(), v[i]) - distinct.begin());
  }
  return true;
}

// The largest k such that every valid value is a multiple of 10^k (0 when none, or when
// every value is 0).
int PowerOfTenFactor(const int64_t* v, const uint8_t* valid, size_t rows) {
  int k = kMaxIntScale;
  bool any = false;
  for (size_t i = 0; i < rows && k > 0; ++i) {
    if (!valid[i] || v[i] == 0) continue;
    any = true;
    while (k > 0 && v[i] % kIntPow10[k] != 0) --k;
  }
  return any ? k : 0;
}

// True when v is exactly round(v * 10^k) / 10^k as computed by the decoder. NaN,
// infinities and -0.0 never are, so they end up raw.
inline bool ScaledExact(double v, int k, int64_t* scaled) {
  double s = v * kPow10[k];
  if (!(std::fabs(s) < kTwo53)) return false;
  int64_t i = static_cast<int64_t>(std::nearbyint(s));
  double back = static_cast<double>(i) / kPow10[k];
  if (std::memcmp(&back, &v, sizeof v) != 0) return false;
  *scaled = i;
  return true;
}

// Smallest scale that fits every valid value, or -1.
int PickScale(const double* v, const uint8_t* valid, size_t rows) {
  int k = 0;
  int64_t unused;
  for (size_t i = 0; i < rows; ++i) {
    if (!valid[i]) continue;
    while (!ScaledExact(v[i], k, &unused))
      if (++k > kMaxScale) return -1;
  }
  return k;
}

// Appends [k][int delta of the scaled values]. Returns false, leaving body as it was,
// when some value is not exact at k: exactness at a smaller scale does not imply it.
bool AppendScaled(const double* v, const uint8_t* valid, size_t rows, size_t n_valid, int k,
                  std::string* body) {
  size_t mark = body->size();
  body->resize(mark + 1 + n_valid * 10);
  char* p = body->data() + mark;
  *p++ = static_cast<char>(k);
  uint64_t prev = 0;
  for (size_t i = 0; i < rows; ++i) {
    int64_t scaled;
    if (!valid[i]) continue;
    if (!ScaledExact(v[i], k, &scaled)) {
      body->resize(mark);
      return false;
    }
    p = PutVarint(p, ZigZag(static_cast<uint64_t>(scaled) - prev));
    prev = static_cast<uint64_t>(scaled);
  }
  body->resize(static_cast<size_t>(p - body->data()));
  return true;
}

Encoding EncodeFloats(const double* v, const uint8_t* valid, size_t rows, size_t n_valid,
                      std::string* body) {
  int k = PickScale(v, valid, rows);
  if (k >= 0 && AppendScaled(v, valid, rows, n_valid, k, body)) return kFloatScaled;
  size_t mark = body->size();
  body->resize(mark + n_valid * 8);
  char* p = body->data() + mark;
  for (size_t i = 0; i < rows; ++i) {
    if (!valid[i]) continue;
    std::memcpy(p, &v[i], 8);
    p += 8;
  }
  return kFloatRaw;
}

// Fills s.dict/s.ids when the valid values have at most n_valid/2 distinct strings.
bool BuildDict(const Column& col, size_t begin, const uint8_t* valid, size_t rows, size_t n_valid,
               EncodeScratch& s) {
  size_t limit = n_valid / 2;
  if (limit == 0) return false;
  size_t nslots = std::bit_ceil(std::max<size_t>(16, limit * 2));
  size_t mask = nslots - 1;
  s.slots.assign(nslots, 0);
  s.dict.clear();
  s.dict_hash.clear();
  s.ids.clear();
  for (size_t i = 0; i < rows; ++i) {
    if (!valid[i]) continue;
    std::string_view v = col.strs[begin + i];
    uint64_t h = XXH3_64bits(v.data(), v.size());
    for (size_t slot = h & mask;; slot = (slot + 1) & mask) {
      uint32_t e = s.slots[slot];
      if (e == 0) {
        if (s.dict.size() == limit) return false;
        s.dict.push_back(v);
        s.dict_hash.push_back(h);
        s.slots[slot] = static_cast<uint32_t>(s.dict.size());
        s.ids.push_back(static_cast<uint32_t>(s.dict.size() - 1));
        break;
      }
      if (s.dict_hash[e - 1] == h && s.dict[e - 1] == v) {
        s.ids.push_back(e - 1);
        break;
      }
    }
  }
  return true;
}

int IndexWidth(size_t count) { return count <= 256 ? 1 : count <= 65536 ? 2 : 4; }

void AppendDict(const EncodeScratch& s, std::string* body) {
  AppendVarint(body, s.dict.size());
  int width = IndexWidth(s.dict.size());
  body->push_back(static_cast<char>(width));
  for (std::string_view v : s.dict) {
    AppendVarint(body, v.size());
    body->append(v);
  }
  size_t mark = body->size();
  body->resize(mark + s.ids.size() * width);
  char* p = body->data() + mark;
  for (uint32_t id : s.ids) {
    std::memcpy(p, &id, width);  // little-endian: the low `width` bytes
    p += width;
  }
}

constexpr std::array<int8_t, 256> MakeHexTable() {
  std::array<int8_t, 256> t{};
  for (auto& x : t) x = -1;
  for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<int8_t>(c);
  for (int c = 0; c < 6; ++c) {
    t['a' + c] = static_cast<int8_t>(10 + c);
    t['A' + c] = static_cast<int8_t>(10 + c);
  }
  return t;
}
constexpr std::array<int8_t, 256> kHex = MakeHexTable();

inline bool IsUuidDash(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// Parses a canonical 8-4-4-4-12 UUID into 16 bytes; *cases gets bit 0 for a lowercase
// letter and bit 1 for an uppercase one.
bool ParseUuid(std::string_view s, char* out, int* cases) {
  if (s.size() != 36) return false;
  int nibbles = 0;
  uint8_t byte = 0;
  for (size_t i = 0; i < 36; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (IsUuidDash(i)) {
      if (c != '-') return false;
      continue;
    }
    int8_t h = kHex[c];
    if (h < 0) return false;
    if (c >= 'a')
      *cases |= 1;
    else if (c >= 'A')
      *cases |= 2;
    byte = static_cast<uint8_t>((byte << 4) | h);
    if (++nibbles % 2 == 0) *out++ = static_cast<char>(byte);
  }
  return true;
}

bool EncodeUuids(const Column& col, size_t begin, const uint8_t* valid, size_t rows, size_t n_valid,
                 std::string* body) {
  size_t mark = body->size();
  body->resize(mark + 1 + n_valid * 16);
  char* p = body->data() + mark + 1;
  int cases = 0;
  for (size_t i = 0; i < rows; ++i) {
    if (!valid[i]) continue;
    if (!ParseUuid(col.strs[begin + i], p, &cases) || cases == 3) {
      body->resize(mark);
      return false;
    }
    p += 16;
  }
  (*body)[mark] = static_cast<char>(cases == 2 ? 1 : 0);
  return true;
}

Encoding EncodeStrings(const Column& col, size_t begin, const uint8_t* valid, size_t rows,
                       size_t n_valid, EncodeScratch& s) {
  if (BuildDict(col, begin, valid, rows, n_valid, s)) {
    AppendDict(s, &s.body);
    return kStrDict;
  }
  if (EncodeUuids(col, begin, valid, rows, n_valid, &s.body)) return kStrUuid;
  for (size_t i = 0; i < rows; ++i) {
    if (!valid[i]) continue;
    std::string_view v = col.strs[begin + i];
    AppendVarint(&s.body, v.size());
    s.body.append(v);
  }
  return kStrPlain;
}

Encoding EncodeValues(const Column& col, size_t begin, const uint8_t* valid, size_t rows,
                      size_t n_valid, EncodeScratch& s) {
  switch (col.type) {
    case Type::kBool:
    case Type::kInt: {
      const int64_t* v = col.ints.data() + begin;
      if (col.type == Type::kInt && EncodeIntDict(v, valid, rows, n_valid, &s.body)) return kIntDict;
      int k = col.type == Type::kInt ? PowerOfTenFactor(v, valid, rows) : 0;
      if (k > 0) {
        int64_t f = kIntPow10[k];
        s.body.push_back(static_cast<char>(k));
        AppendDeltas(
            valid, rows, n_valid, [v, f](size_t i) { return v[i] / f; }, &s.body);
        return kIntScaled;
      }
      AppendDeltas(
          valid, rows, n_valid, [v](size_t i) { return v[i]; }, &s.body);
      return kIntDelta;
    }
    case Type::kFloat:
      return EncodeFloats(col.floats.data() + begin, valid, rows, n_valid, &s.body);
    case Type::kString:
      return EncodeStrings(col, begin, valid, rows, n_valid, s);
    case Type::kNull:
      break;
  }
  return kAllNull;
}

// Returns the frame size or a zstd error code.
size_t Compress(ZSTD_CCtx* cctx, int level, const std::string& body, char* dst, size_t cap) {
  size_t r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  // zstd's frame checksum is the only check on chunk bytes in data.bin (the part index
  // has its own CRC), so bit rot in a compressed chunk is reported, not decoded.
  if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError(r)) return r;
  return ZSTD_compress2(cctx, dst, cap, body.data(), body.size());
}

// Replaces the zstd frame at out[pos..] by [checksum][LZ4HC block] when that is at most
// kLz4Slack times its size (zstd_size bytes).
void TryLz4(const std::string& body, size_t zstd_size, size_t flags_pos, size_t pos, std::string* out) {
  thread_local std::string block;
  block.resize(static_cast<size_t>(LZ4_compressBound(static_cast<int>(body.size()))));
  const int n = LZ4_compress_HC(body.data(), block.data(), static_cast<int>(body.size()),
                                static_cast<int>(block.size()), kLz4HcLevel);
  if (n <= 0 || static_cast<double>(n + 8) > kLz4Slack * static_cast<double>(zstd_size) ||
      static_cast<size_t>(n) + 8 >= body.size())
    return;
  const uint64_t sum = XXH3_64bits(body.data(), body.size());
  out->resize(pos);
  out->append(reinterpret_cast<const char*>(&sum), 8);
  out->append(block.data(), static_cast<size_t>(n));
  (*out)[flags_pos] = static_cast<char>((*out)[flags_pos] | kLz4);
  if (block.capacity() > kKeepScratchBytes) std::string().swap(block);
}

// Appends [flags][varint raw size][body or its zstd frame] to out.
void AppendFramed(uint8_t flags, const std::string& body, int level, EncodeScratch& s,
                  std::string* out) {
  size_t flags_pos = out->size();
  out->push_back(static_cast<char>(flags));
  AppendVarint(out, body.size());
  if (body.size() >= kMinCompressBytes) {
    if (!s.cctx) s.cctx.reset(ZSTD_createCCtx());
    if (s.cctx) {
      size_t pos = out->size();
      size_t bound = ZSTD_compressBound(body.size());
      out->resize(pos + bound);
      size_t n = Compress(s.cctx.get(), level, body, out->data() + pos, bound);
      if (!ZSTD_isError(n) && n < body.size()) {
        out->resize(pos + n);
        (*out)[flags_pos] = static_cast<char>(flags | kCompressed);
        if (level >= kLz4FromLevel && (flags & kEncodingMask) == kStrPlain &&
            body.size() <= static_cast<size_t>(LZ4_MAX_INPUT_SIZE))
          TryLz4(body, n, flags_pos, pos, out);
        return;
      }
      out->resize(pos);  // incompressible or zstd failed: store the body as is
    }
  }
  out->append(body);
}

// ---- decoders ----

bool EncodingFits(uint8_t enc, Type type) {
  switch (enc) {
    case kAllNull:
      return true;
    case kIntDelta:
      return type == Type::kInt || type == Type::kBool;
    case kIntScaled:
    case kIntDict:
      return type == Type::kInt;
    case kFloatScaled:
    case kFloatRaw:
      return type == Type::kFloat;
    case kStrDict:
    case kStrUuid:
    case kStrPlain:
      return type == Type::kString;
    default:
      return false;
  }
}

uint64_t MaxRawSize(Type type, size_t rows) {
  if (type == Type::kString) return kMaxRawSize;
  return std::min<uint64_t>(kMaxRawSize, 16 + (rows + 7) / 8 + uint64_t{rows} * 10);
}

// Validates the frame and points *body at the raw body (in `chunk` or in scratch).
Status OpenChunk(std::string_view chunk, Type type, size_t rows, DecodeScratch& s, uint8_t* flags,
                 std::string_view* body) {
  Reader r(chunk);
  uint64_t raw_size = 0;
  if (!r.Byte(flags)) return Bad("empty");
  if (*flags & kVersionMask) return Bad("unknown format version");
  if (!r.Varint(&raw_size)) return Bad("bad raw size");
  if (raw_size > MaxRawSize(type, rows)) return Bad("raw size too large for the row count");
  const char* src = reinterpret_cast<const char*>(r.p);
  size_t src_size = r.left();
  if (!(*flags & kCompressed)) {
    if ((*flags & kLz4) || src_size != raw_size) return Bad("stored body size mismatch");
    *body = std::string_view(src, src_size);
    return Status::OK();
  }
  const bool lz4 = (*flags & kLz4) != 0;
  if (lz4) {
    if (src_size < 9 || raw_size > static_cast<uint64_t>(LZ4_MAX_INPUT_SIZE)) return Bad("bad lz4 block");
  } else {
    if (ZSTD_findFrameCompressedSize(src, src_size) != src_size) return Bad("bad zstd frame");
    if (ZSTD_getFrameContentSize(src, src_size) != raw_size) return Bad("zstd size mismatch");
    if (!s.dctx) s.dctx.reset(ZSTD_createDCtx());
    if (!s.dctx) return Status::ResourceExhausted("cannot allocate a zstd context");
  }
  MemoEntry* memo = nullptr;
  if (s.memo_depth > 0) {
    const XXH128_hash_t key = XXH3_128bits(chunk.data(), chunk.size());
    for (MemoEntry& e : s.memo) {
      if (e.used && XXH128_isEqual(e.key, key) && e.body.size() == raw_size) {
        *body = e.body;
        return Status::OK();
      }
    }
    memo = &NewMemoEntry(s);
    memo->key = key;
  }
  char* dst = nullptr;
  if (memo != nullptr) {
    memo->body.resize(raw_size);
    dst = memo->body.data();
  } else {
    if (s.cap < raw_size || s.cap > std::max<uint64_t>(kKeepScratchBytes, raw_size * 4)) {
      s.buf = std::make_unique_for_overwrite<char[]>(raw_size);
      s.cap = raw_size;
    }
    dst = s.buf.get();
  }
  if (lz4) {
    const int n = LZ4_decompress_safe(src + 8, dst, static_cast<int>(src_size - 8), static_cast<int>(raw_size));
    uint64_t sum = 0;
    std::memcpy(&sum, src, 8);
    if (n < 0 || static_cast<uint64_t>(n) != raw_size) return Bad("lz4 decompression failed");
    if (XXH3_64bits(dst, raw_size) != sum) return Bad("lz4 body checksum mismatch");
  } else {
    size_t n = ZSTD_decompressDCtx(s.dctx.get(), dst, raw_size, src, src_size);
    if (ZSTD_isError(n) || n != raw_size) return Bad("zstd decompression failed");
  }
  if (memo != nullptr) memo->used = true;
  *body = std::string_view(dst, raw_size);
  return Status::OK();
}

// Reads the validity bitmap; *n_valid gets its population count.
Status ReadBitmap(Reader& r, size_t rows, const uint8_t** bitmap, size_t* n_valid) {
  size_t bytes = (rows + 7) / 8;
  if (r.left() < bytes) return Bad("truncated validity bitmap");
  *bitmap = r.p;
  r.p += bytes;
  if (rows % 8 != 0 && ((*bitmap)[bytes - 1] >> (rows % 8)) != 0) {
    return Bad("validity bitmap padding is not zero");
  }
  size_t n = 0;
  for (size_t i = 0; i < bytes; ++i) n += static_cast<size_t>(std::popcount((*bitmap)[i]));
  *n_valid = n;
  return Status::OK();
}

inline bool BitAt(const uint8_t* bitmap, size_t i) { return (bitmap[i >> 3] >> (i & 7)) & 1; }

// Decodes n zigzag-delta varints, calling put(i, value).
template <typename Put>
bool DecodeDeltas(Reader& r, size_t n, Put&& put) {
  const uint8_t* p = r.p;
  const uint8_t* end = r.end;
  uint64_t prev = 0;
  for (size_t i = 0; i < n;) {
    // One- and two-byte varints (small deltas) decode without a branch on their length.
    if (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      const uint64_t c0 = (w >> 7) & 1, c1 = (w >> 15) & 1;
      if ((c0 & c1) == 0) {
        const uint64_t z = (w & 0x7f) | (((w >> 1) & 0x3f80) & (0 - c0));
        p += 1 + c0;
        prev += UnZigZag(z);
        put(i, prev);
        ++i;
        continue;
      }
    }
    uint64_t z;
    p = end - p >= 10 ? GetVarintUnchecked(p, &z) : GetVarint(p, end, &z);
    if (p == nullptr) return false;
    prev += UnZigZag(z);
    put(i, prev);
    ++i;
  }
  r.p = p;
  return true;
}

// Moves the n_valid values packed at the front of v[0, rows) to their rows, zeroing
// invalid rows. Walking backwards never overwrites a value not yet moved.
// A bitmap byte of all ones (the usual case for a mostly present field) moves eight
// values at once, one of all zeros clears eight.
template <typename T>
void Scatter(T* v, size_t rows, size_t n_valid, const uint8_t* bitmap) {
  if (bitmap == nullptr) return;
  size_t k = n_valid;
  size_t i = rows;
  while (i % 8 != 0) {
    --i;
    v[i] = BitAt(bitmap, i) ? v[--k] : T{};
  }
  while (i > 0) {
    i -= 8;
    const uint8_t b = bitmap[i >> 3];
    if (b == 0xFF) {
      k -= 8;
      std::memmove(v + i, v + k, 8 * sizeof(T));  // k <= i: may overlap
    } else if (b == 0) {
      std::fill(v + i, v + i + 8, T{});
    } else {
      for (size_t j = i + 8; j-- > i;) v[j] = BitAt(bitmap, j) ? v[--k] : T{};
    }
  }
}

Status DecodeInts(Reader& r, Type type, size_t rows, size_t n_valid, const uint8_t* bitmap,
                  std::vector<int64_t>& ints) {
  if (n_valid > r.left()) return Bad("truncated int values");
  size_t base = ints.size();
  ints.resize(base + rows);
  int64_t* out = ints.data() + base;
  uint64_t any_bits = 0;
  bool ok = DecodeDeltas(r, n_valid, [&](size_t i, uint64_t v) {
    out[i] = static_cast<int64_t>(v);
    any_bits |= v;
  });
  if (ok && type == Type::kBool && (any_bits & ~uint64_t{1}) != 0) {
    // Cheap reject of most garbage: OR of all values must be 0 or 1 for bools.
    ok = false;
  }
  if (!ok) {
    ints.resize(base);
    return Bad("bad int values");
  }
  Scatter(out, rows, n_valid, bitmap);
  return Status::OK();
}

Status DecodeIntDict(Reader& r, size_t rows, size_t n_valid, const uint8_t* bitmap,
                     std::vector<int64_t>& ints) {
  uint64_t count = 0, first = 0;
  if (!r.Varint(&count) || count == 0 || count > kMaxIntDict || !r.Varint(&first))
    return Bad("bad int dictionary");
  std::array<int64_t, kMaxIntDict> dict;
  uint64_t value = static_cast<uint64_t>(UnZigZag(first));
  dict[0] = static_cast<int64_t>(value);
  for (uint64_t k = 1; k < count; ++k) {
    uint64_t step = 0;
    if (!r.Varint(&step)) return Bad("bad int dictionary");
    value += step;  // wrapping: garbage stays defined
    dict[k] = static_cast<int64_t>(value);
  }
  if (r.left() != n_valid) return Bad("bad int dictionary index section");
  uint8_t max_index = 0;
  for (size_t i = 0; i < n_valid; ++i) max_index = std::max(max_index, r.p[i]);
  if (max_index >= count) return Bad("int dictionary index out of range");
  const size_t base = ints.size();
  ints.resize(base + rows);
  int64_t* out = ints.data() + base;
  for (size_t i = 0; i < n_valid; ++i) out[i] = dict[r.p[i]];
  r.p += n_valid;
  Scatter(out, rows, n_valid, bitmap);
  return Status::OK();
}

Status DecodeFloats(Reader& r, uint8_t enc, size_t rows, size_t n_valid, const uint8_t* bitmap,
                    std::vector<double>& floats) {
  uint8_t k = 0;
  if (enc == kFloatScaled) {
    if (!r.Byte(&k) || k > kMaxScale) return Bad("bad float scale");
    if (n_valid > r.left()) return Bad("truncated float values");
  } else if (n_valid * 8 > r.left()) {
    return Bad("truncated float values");
  }
  size_t base = floats.size();
  floats.resize(base + rows);
  double* out = floats.data() + base;
  if (enc == kFloatRaw) {
    std::memcpy(out, r.p, n_valid * 8);
    r.p += n_valid * 8;
  } else {
    const double div = kPow10[k];
    bool ok = DecodeDeltas(r, n_valid, [&](size_t i, uint64_t v) {
      out[i] = static_cast<double>(static_cast<int64_t>(v)) / div;
    });
    if (!ok) {
      floats.resize(base);
      return Bad("bad float values");
    }
  }
  Scatter(out, rows, n_valid, bitmap);
  return Status::OK();
}

// Calls put(row, value) for every row; invalid rows get "". Eight invalid rows in a row
// (a zero bitmap byte) are appended at once: sparse fields are mostly such runs.
template <typename Get>
void PushStrings(size_t rows, const uint8_t* bitmap, StringVec& strs, Get&& next_valid) {
  if (bitmap == nullptr) {
    for (size_t i = 0; i < rows; ++i) strs.push_back(next_valid());
    return;
  }
  for (size_t i = 0; i < rows;) {
    if ((i & 7) == 0 && i + 8 <= rows && bitmap[i >> 3] == 0) {
      size_t j = i + 8;
      while (j + 8 <= rows && bitmap[j >> 3] == 0) j += 8;
      strs.push_back_empty(j - i);
      i = j;
      continue;
    }
    strs.push_back(BitAt(bitmap, i) ? next_valid() : std::string_view());
    ++i;
  }
}

// Calls f(T{}) with T the unsigned type of a dictionary index `width` (1, 2 or 4 bytes),
// so index loops are plain typed loads.
template <typename F>
void ByIndexWidth(uint8_t width, F&& f) {
  if (width == 1) {
    f(uint8_t{});
  } else if (width == 2) {
    f(uint16_t{});
  } else {
    f(uint32_t{});
  }
}

// Index k of a dictionary's index section.
template <typename T>
uint32_t IndexAt(const uint8_t* p, size_t k) {
  T v;
  std::memcpy(&v, p + k * sizeof(T), sizeof(T));
  return v;
}

// With `ranks`, decode only those values: per output row the rank of its value among the
// valid ones, or -1 for a null (DecodeColumnChunkRows); otherwise every row.
Status DecodeDict(Reader& r, size_t rows, size_t n_valid, const uint8_t* bitmap, DecodeScratch& s,
                  StringVec& strs, const std::vector<int64_t>* ranks) {
  uint64_t count = 0;
  uint8_t width = 0;
  if (!r.Varint(&count) || count == 0 || count > n_valid || count > r.left()) {
    return Bad("bad dictionary size");
  }
  if (!r.Byte(&width) || (width != 1 && width != 2 && width != 4)) return Bad("bad index width");
  s.dict.clear();
  s.dict.reserve(count);
  size_t dict_bytes = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len = 0;
    if (!r.Varint(&len) || len > r.left()) return Bad("bad dictionary entry");
    s.dict.emplace_back(reinterpret_cast<const char*>(r.p), len);
    dict_bytes += len;
    r.p += len;
  }
  if (r.left() != n_valid * width) return Bad("bad dictionary index section");
  const uint8_t* idx = r.p;
  r.p = r.end;
  // Each output row's entry (kNoCode for a null), checked before anything is appended.
  std::vector<uint32_t>& codes = s.codes;
  uint32_t max_id = 0;
  auto unpack = [&]<typename T>(T) {
    auto at = [&](size_t k) { return IndexAt<T>(idx, k); };
    if (ranks != nullptr) {
      codes.resize(ranks->size());
      for (size_t i = 0; i < ranks->size(); ++i) {
        const int64_t k = (*ranks)[i];
        codes[i] = k < 0 ? StringVec::kNoCode : at(static_cast<size_t>(k));
        if (k >= 0) max_id = std::max(max_id, codes[i]);
      }
      return;
    }
    codes.resize(rows);
    if (bitmap == nullptr) {
      for (size_t i = 0; i < rows; ++i) {
        codes[i] = at(i);
        max_id = std::max(max_id, codes[i]);
      }
      return;
    }
    size_t k = 0;
    for (size_t i = 0; i < rows; ++i) {
      if (BitAt(bitmap, i)) {
        codes[i] = at(k++);
        max_id = std::max(max_id, codes[i]);
      } else {
        codes[i] = StringVec::kNoCode;
      }
    }
  };
  ByIndexWidth(width, unpack);
  if (max_id >= count) return Bad("dictionary index out of range");
  // The entries are appended once; rows point at them (no bytes copied per row).
  strs.BeginDict(count, dict_bytes);
  for (std::string_view e : s.dict) strs.AddDictEntry(e);
  strs.PushEntries(codes.data(), codes.size());
  return Status::OK();
}

Status DecodeUuids(Reader& r, size_t rows, size_t n_valid, const uint8_t* bitmap, StringVec& strs,
                   const std::vector<int64_t>* ranks) {
  uint8_t upper = 0;
  if (!r.Byte(&upper) || upper > 1) return Bad("bad uuid case flag");
  if (r.left() != n_valid * 16) return Bad("bad uuid section size");
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  const uint8_t* base = r.p;
  r.p = r.end;
  char text[36];
  auto format = [&](const uint8_t* p) {
    char* t = text;
    for (int i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) *t++ = '-';
      *t++ = digits[p[i] >> 4];
      *t++ = digits[p[i] & 15];
    }
    return std::string_view(text, 36);
  };
  if (ranks != nullptr) {
    for (int64_t k : *ranks) strs.push_back(k < 0 ? std::string_view() : format(base + k * 16));
    return Status::OK();
  }
  strs.reserve(strs.size() + rows, strs.bytes() + n_valid * 36);
  const uint8_t* p = base;
  PushStrings(rows, bitmap, strs, [&] {
    std::string_view v = format(p);
    p += 16;
    return v;
  });
  return Status::OK();
}

Status DecodePlain(Reader& r, size_t rows, size_t n_valid, const uint8_t* bitmap, StringVec& strs,
                   const std::vector<int64_t>* ranks) {
  // One pass: each value is checked as it is read; on damage the rows appended so far
  // are dropped again.
  const size_t before = strs.size();
  bool ok = true;
  size_t seen = 0;
  auto next = [&] {
    uint64_t len = 0;
    const uint8_t* q = seen < n_valid ? GetVarint(r.p, r.end, &len) : nullptr;
    if (q == nullptr || len > static_cast<uint64_t>(r.end - q)) {
      ok = false;
      r.p = r.end;
      return std::string_view();
    }
    ++seen;
    std::string_view v(reinterpret_cast<const char*>(q), len);
    r.p = q + len;
    return v;
  };
  if (ranks != nullptr) {  // ranks ascend: walk the values once, copying only the wanted
    int64_t at = 0;
    std::string_view v;
    for (int64_t k : *ranks) {
      if (k < 0) {
        strs.push_back({});
        continue;
      }
      while (at <= k && ok) {
        v = next();
        ++at;
      }
      strs.push_back(v);
    }
    while (seen < n_valid && ok) next();  // the rest must be well-formed too
  } else {
    // The whole section is copied once and rows point at their values inside it (the
    // length prefixes stay between them).
    const uint8_t* const section = r.p;
    const uint64_t base = strs.AppendBytes(std::string_view(reinterpret_cast<const char*>(r.p), r.left()));
    strs.reserve(strs.size() + rows, strs.bytes());
    auto put = [&] {
      const std::string_view v = next();
      strs.PushSpan(base + static_cast<uint64_t>(reinterpret_cast<const uint8_t*>(v.data()) - section),
                    static_cast<uint32_t>(v.size()));
    };
    auto put_empty = [&] {  // at the next value's position, so rows stay in order
      strs.PushSpan(base + static_cast<uint64_t>(r.p - section), 0);
    };
    for (size_t i = 0; i < rows && ok; ++i) {
      if (bitmap == nullptr || BitAt(bitmap, i)) {
        put();
      } else {
        put_empty();
      }
    }
  }
  if (ok && r.left() != 0) ok = false;
  if (!ok) {
    strs.truncate(before);
    return Bad(seen < n_valid ? "bad string value" : "trailing bytes after the strings");
  }
  return Status::OK();
}

void AppendNulls(Type type, size_t rows, Column* out) {
  out->valid.resize(out->valid.size() + rows, 0);
  switch (type) {
    case Type::kBool:
    case Type::kInt:
      out->ints.resize(out->ints.size() + rows, 0);
      break;
    case Type::kFloat:
      out->floats.resize(out->floats.size() + rows, 0.0);
      break;
    case Type::kString:
      for (size_t i = 0; i < rows; ++i) out->strs.push_back({});
      break;
    case Type::kNull:
      break;
  }
}

Status DecodeValues(Reader& r, uint8_t enc, Type type, size_t rows, size_t n_valid,
                    const uint8_t* bitmap, DecodeScratch& s, Column* out) {
  switch (enc) {
    case kIntDelta:
      return DecodeInts(r, type, rows, n_valid, bitmap, out->ints);
    case kIntScaled: {
      uint8_t k;
      if (!r.Byte(&k) || k < 1 || k > kMaxIntScale) return Bad("bad int scale");
      size_t base = out->ints.size();
      RETURN_IF_ERROR(DecodeInts(r, type, rows, n_valid, bitmap, out->ints));
      // Wrapping multiply: exact for every value the encoder wrote; garbage stays defined.
      uint64_t f = static_cast<uint64_t>(kIntPow10[k]);
      for (size_t i = base; i < out->ints.size(); ++i)
        out->ints[i] = static_cast<int64_t>(static_cast<uint64_t>(out->ints[i]) * f);
      return Status::OK();
    }
    case kIntDict:
      return DecodeIntDict(r, rows, n_valid, bitmap, out->ints);
    case kFloatScaled:
    case kFloatRaw:
      return DecodeFloats(r, enc, rows, n_valid, bitmap, out->floats);
    case kStrDict:
      return DecodeDict(r, rows, n_valid, bitmap, s, out->strs, nullptr);
    case kStrUuid:
      return DecodeUuids(r, rows, n_valid, bitmap, out->strs, nullptr);
    case kStrPlain:
      return DecodePlain(r, rows, n_valid, bitmap, out->strs, nullptr);
    default:
      return Bad("unknown encoding");
  }
}

// Bitmap byte -> its eight bits as bytes (LSB first, little-endian).
constexpr std::array<uint64_t, 256> MakeBitBytes() {
  std::array<uint64_t, 256> t{};
  for (int b = 0; b < 256; ++b)
    for (int k = 0; k < 8; ++k) t[b] |= static_cast<uint64_t>((b >> k) & 1) << (8 * k);
  return t;
}
constexpr std::array<uint64_t, 256> kBitBytes = MakeBitBytes();

void AppendValidity(size_t rows, const uint8_t* bitmap, std::vector<uint8_t>& valid) {
  size_t base = valid.size();
  valid.resize(base + rows, 1);
  if (bitmap == nullptr) return;
  uint8_t* v = valid.data() + base;
  size_t i = 0;
  for (; i + 8 <= rows; i += 8) std::memcpy(v + i, &kBitBytes[bitmap[i >> 3]], 8);
  for (; i < rows; ++i) v[i] = BitAt(bitmap, i);
}

}  // namespace

void EncodeColumnChunk(const Column& col, size_t begin, size_t end, int zstd_level,
                       std::string* out) {
  const size_t rows = end - begin;
  const uint8_t* valid = col.valid.data() + begin;
  size_t n_valid = 0;
  for (size_t i = 0; i < rows; ++i) n_valid += valid[i] != 0;
  EncodeScratch& s = EncScratch();
  s.body.clear();
  uint8_t flags = kAllNull;
  if (n_valid > 0) {
    if (n_valid < rows) {
      flags |= kHasValidity;
      AppendBitmap(valid, rows, &s.body);
    }
    flags |= EncodeValues(col, begin, valid, rows, n_valid, s);
  }
  AppendFramed(flags, s.body, zstd_level, s, out);
  if (s.body.capacity() > kKeepScratchBytes) std::string().swap(s.body);
}

Status DecodeColumnChunk(std::string_view chunk, Type type, size_t rows, Column* out) {
  if (type == Type::kNull || out->type != type) {
    return Status::InvalidArgument("column chunk: output column type does not match");
  }
  if (rows > kMaxChunkRows) return Bad("row count too large");
  DecodeScratch& s = DecScratch();
  uint8_t flags = 0;
  std::string_view body;
  RETURN_IF_ERROR(OpenChunk(chunk, type, rows, s, &flags, &body));
  const uint8_t enc = flags & kEncodingMask;
  if (!EncodingFits(enc, type)) return Bad("encoding does not fit the column type");
  Reader r(body);
  if (enc == kAllNull) {
    if ((flags & kHasValidity) || r.left() != 0) return Bad("all-null chunk with a body");
    AppendNulls(type, rows, out);
    return Status::OK();
  }
  const uint8_t* bitmap = nullptr;
  size_t n_valid = rows;
  if (flags & kHasValidity) RETURN_IF_ERROR(ReadBitmap(r, rows, &bitmap, &n_valid));
  RETURN_IF_ERROR(DecodeValues(r, enc, type, rows, n_valid, bitmap, s, out));
  if (r.left() != 0) {
    // String decoders check their section size before appending, so only numbers get here.
    if (type == Type::kFloat)
      out->floats.resize(out->floats.size() - rows);
    else
      out->ints.resize(out->ints.size() - rows);
    return Bad("trailing bytes after the values");
  }
  AppendValidity(rows, bitmap, out->valid);
  return Status::OK();
}

namespace {

// Decodes picked rows of a String chunk, copying only their values.
Status DecodeStringRows(std::string_view chunk, size_t rows, const std::vector<uint32_t>& pick,
                        Column* out) {
  DecodeScratch& s = DecScratch();
  uint8_t flags = 0;
  std::string_view body;
  RETURN_IF_ERROR(OpenChunk(chunk, Type::kString, rows, s, &flags, &body));
  const uint8_t enc = flags & kEncodingMask;
  if (!EncodingFits(enc, Type::kString)) return Bad("encoding does not fit the column type");
  Reader r(body);
  const uint8_t* bitmap = nullptr;
  size_t n_valid = rows;
  if (enc != kAllNull && (flags & kHasValidity)) RETURN_IF_ERROR(ReadBitmap(r, rows, &bitmap, &n_valid));
  std::vector<int64_t> ranks;
  ranks.reserve(pick.size());
  size_t row = 0;
  int64_t rank = 0;  // valid rows before `row`
  for (uint32_t p : pick) {
    for (; row < p; ++row) rank += !bitmap || BitAt(bitmap, row);
    bool valid = enc != kAllNull && (!bitmap || BitAt(bitmap, p));
    ranks.push_back(valid ? rank : -1);
  }
  size_t before = out->strs.size();
  Status st;
  switch (enc) {
    case kAllNull: for (size_t i = 0; i < pick.size(); ++i) out->strs.push_back({}); break;
    case kStrDict: st = DecodeDict(r, rows, n_valid, bitmap, s, out->strs, &ranks); break;
    case kStrUuid: st = DecodeUuids(r, rows, n_valid, bitmap, out->strs, &ranks); break;
    case kStrPlain: st = DecodePlain(r, rows, n_valid, bitmap, out->strs, &ranks); break;
    default: st = Bad("unknown encoding");
  }
  if (!st.ok()) {
    out->strs.truncate(before);
    return st;
  }
  for (int64_t k : ranks) out->valid.push_back(k >= 0);
  return Status::OK();
}

}  // namespace

Status DecodeColumnChunkRows(std::string_view chunk, Type type, size_t rows,
                             const std::vector<uint32_t>& pick, Column* out) {
  if (type == Type::kNull || out->type != type) {
    return Status::InvalidArgument("column chunk: output column type does not match");
  }
  if (rows > kMaxChunkRows) return Bad("row count too large");
  for (size_t i = 0; i < pick.size(); ++i)
    if (pick[i] >= rows || (i > 0 && pick[i] <= pick[i - 1]))
      return Status::InvalidArgument("column chunk: picked rows must ascend and be < rows");
  if (type == Type::kString) return DecodeStringRows(chunk, rows, pick, out);
  // Numbers decode without allocation per row: decode all, keep the picked.
  thread_local Column scratch;
  scratch.type = type;
  scratch.valid.clear();
  scratch.ints.clear();
  scratch.floats.clear();
  RETURN_IF_ERROR(DecodeColumnChunk(chunk, type, rows, &scratch));
  for (uint32_t p : pick) out->AppendFrom(scratch, p);
  return Status::OK();
}

// A String chunk opened for a search: its encoding, validity bitmap (null: all valid)
// and a reader at its value section.
struct StringChunk {
  uint8_t enc = kAllNull;
  const uint8_t* bitmap = nullptr;
  size_t n_valid = 0;
  Reader r{std::string_view()};
};

Status OpenStringChunk(std::string_view chunk, size_t rows, StringChunk* out) {
  if (rows > kMaxChunkRows) return Bad("row count too large");
  uint8_t flags = 0;
  std::string_view body;
  RETURN_IF_ERROR(OpenChunk(chunk, Type::kString, rows, DecScratch(), &flags, &body));
  out->enc = flags & kEncodingMask;
  if (!EncodingFits(out->enc, Type::kString)) return Bad("encoding does not fit the column type");
  if (out->enc == kAllNull) return Status::OK();
  out->r = Reader(body);
  out->n_valid = rows;
  if (flags & kHasValidity) RETURN_IF_ERROR(ReadBitmap(out->r, rows, &out->bitmap, &out->n_valid));
  return Status::OK();
}

// Appends the rows of the valid values whose ranks (ascending) are given.
void RanksToRows(const uint8_t* bitmap, size_t rows, const std::vector<uint32_t>& ranks,
                 std::vector<uint32_t>* out) {
  if (bitmap == nullptr) {
    out->insert(out->end(), ranks.begin(), ranks.end());
    return;
  }
  size_t rank = 0, next = 0;
  for (size_t i = 0; i < rows && next < ranks.size(); ++i) {
    if (!BitAt(bitmap, i)) continue;
    if (rank++ == ranks[next]) {
      out->push_back(static_cast<uint32_t>(i));
      ++next;
    }
  }
}

// Reads a string dictionary section for a search: calls on_entry(i, entry) for each entry
// and leaves sc.r at the index section, whose size it checks (one index per valid value).
template <typename OnEntry>
Status ReadDictionary(StringChunk& sc, uint64_t* count, uint8_t* width, OnEntry&& on_entry) {
  if (!sc.r.Varint(count) || *count == 0 || *count > sc.n_valid || !sc.r.Byte(width) ||
      (*width != 1 && *width != 2 && *width != 4))
    return Bad("bad dictionary header");
  for (uint64_t i = 0; i < *count; ++i) {
    uint64_t len = 0;
    if (!sc.r.Varint(&len) || len > sc.r.left()) return Bad("bad dictionary entry");
    on_entry(i, std::string_view(reinterpret_cast<const char*>(sc.r.p), len));
    sc.r.p += len;
  }
  if (sc.r.left() != sc.n_valid * *width) return Bad("bad dictionary index section");
  return Status::OK();
}

Status FindEqualRows(std::string_view chunk, size_t rows, std::string_view literal,
                     std::vector<uint32_t>* out) {
  out->clear();
  StringChunk sc;
  RETURN_IF_ERROR(OpenStringChunk(chunk, rows, &sc));
  if (sc.enc == kAllNull) return Status::OK();
  // Valid-row ranks that match, mapped back to rows at the end.
  std::vector<uint32_t> ranks;
  if (sc.enc == kStrUuid) {
    uint8_t upper = 0;
    if (!sc.r.Byte(&upper) || upper > 1 || sc.r.left() != sc.n_valid * 16) return Bad("bad uuid section");
    char want[16];
    int cases = 0;
    // A literal that is no canonical UUID in the chunk's case cannot equal any value.
    if (literal.size() != 36 || !ParseUuid(literal, want, &cases) ||
        (cases & (upper ? 1 : 2)) != 0)
      return Status::OK();
    for (size_t k = 0; k < sc.n_valid; ++k)
      if (std::memcmp(sc.r.p + k * 16, want, 16) == 0) ranks.push_back(static_cast<uint32_t>(k));
  } else if (sc.enc == kStrDict) {
    uint64_t count = 0;
    uint8_t width = 0;
    int64_t id = -1;
    RETURN_IF_ERROR(ReadDictionary(sc, &count, &width, [&](uint64_t i, std::string_view e) {
      if (id < 0 && e == literal) id = static_cast<int64_t>(i);
    }));
    if (id < 0) return Status::OK();
    ByIndexWidth(width, [&]<typename T>(T) {
      for (size_t k = 0; k < sc.n_valid; ++k)
        if (IndexAt<T>(sc.r.p, k) == static_cast<uint32_t>(id)) ranks.push_back(static_cast<uint32_t>(k));
    });
  } else {
    // Plain chunks: decode the values once, without copying them out.
    Column tmp;
    tmp.type = Type::kString;
    RETURN_IF_ERROR(DecodeColumnChunk(chunk, Type::kString, rows, &tmp));
    for (size_t i = 0; i < rows; ++i)
      if (tmp.valid[i] && tmp.strs[i] == literal) out->push_back(static_cast<uint32_t>(i));
    return Status::OK();
  }
  RanksToRows(sc.bitmap, rows, ranks, out);
  return Status::OK();
}

Status FindContainingRows(std::string_view chunk, size_t rows, std::string_view needle,
                          bool or_escaped, std::vector<uint32_t>* out) {
  out->clear();
  StringChunk sc;
  RETURN_IF_ERROR(OpenStringChunk(chunk, rows, &sc));
  if (sc.enc == kAllNull) return Status::OK();
  auto hit = [&](std::string_view v) {
    return FindSubstring(v.data(), v.data() + v.size(), needle) != nullptr ||
           (or_escaped && NeedsJsonEscape(v));
  };
  std::vector<uint32_t> ranks;
  if (sc.enc == kStrDict) {
    uint64_t count = 0;
    uint8_t width = 0;
    std::vector<uint8_t> entry_hits;
    bool any = false;
    RETURN_IF_ERROR(ReadDictionary(sc, &count, &width, [&](uint64_t, std::string_view e) {
      entry_hits.push_back(hit(e));
      any = any || entry_hits.back();
    }));
    if (!any) return Status::OK();
    bool in_range = true;
    ByIndexWidth(width, [&]<typename T>(T) {
      for (size_t k = 0; k < sc.n_valid; ++k) {
        const uint32_t id = IndexAt<T>(sc.r.p, k);
        in_range = in_range && id < count;
        if (id < count && entry_hits[id]) ranks.push_back(static_cast<uint32_t>(k));
      }
    });
    if (!in_range) return Bad("dictionary index out of range");
  } else if (sc.enc == kStrPlain && !or_escaped) {
    // Values back to back as (varint length, bytes): search the whole body, then find
    // the value each hit lies in (a hit across a length prefix belongs to no value).
    const char* const begin = reinterpret_cast<const char*>(sc.r.p);
    const char* const end = reinterpret_cast<const char*>(sc.r.end);
    const char* from = begin;
    const char* vs = begin;  // the current value is [vs, ve), rank k
    const char* ve = begin;
    const uint8_t* next = sc.r.p;  // where the next value's length starts
    size_t k = 0;
    bool have = false;
    auto advance = [&]() {
      uint64_t len = 0;
      const uint8_t* q = GetVarint(next, sc.r.end, &len);
      if (q == nullptr || len > static_cast<uint64_t>(sc.r.end - q)) return false;
      if (have) ++k;
      have = true;
      vs = reinterpret_cast<const char*>(q);
      ve = vs + len;
      next = q + len;
      return true;
    };
    while (from < end) {
      const char* hp = FindSubstring(from, end, needle);
      if (hp == nullptr) break;
      while (!have || ve < hp + needle.size()) {
        if (next >= sc.r.end || !advance()) break;
      }
      if (!have || ve < hp + needle.size()) break;
      if (hp >= vs) {
        ranks.push_back(static_cast<uint32_t>(k));
        from = ve;  // one hit per value
      } else {
        from = vs;  // the hit began before this value: search on from its start
      }
    }
    // Every value must still parse, as a full decode would check.
    while (next < sc.r.end)
      if (!advance()) return Bad("bad string values");
    if ((have ? k + 1 : 0) != sc.n_valid) return Bad("bad string values");
  } else {
    // UUID chunks (only hex digits and dashes can match) and escape checks: decode.
    if (sc.enc == kStrUuid && !or_escaped &&
        needle.find_first_not_of("0123456789abcdefABCDEF-") != std::string_view::npos)
      return Status::OK();
    Column tmp;
    tmp.type = Type::kString;
    RETURN_IF_ERROR(DecodeColumnChunk(chunk, Type::kString, rows, &tmp));
    for (size_t i = 0; i < rows; ++i)
      if (tmp.valid[i] && hit(tmp.strs[i])) out->push_back(static_cast<uint32_t>(i));
    return Status::OK();
  }
  RanksToRows(sc.bitmap, rows, ranks, out);
  return Status::OK();
}

}  // namespace vigil

namespace vigil {

ChunkMemo::ChunkMemo() { ++DecScratch().memo_depth; }

ChunkMemo::~ChunkMemo() {
  DecodeScratch& s = DecScratch();
  if (--s.memo_depth > 0) return;
  // Keep the buffers for the next scope, but not large ones.
  for (MemoEntry& e : s.memo) {
    e.used = false;
    if (e.body.capacity() > (1u << 20)) std::string().swap(e.body);
  }
}

}  // namespace vigil
