// Cache-line-blocked bloom filter (spec: docs/formats/column_chunk.md, "Bloom filter").
//
//   filter  [u8 k][n blocks x 64 bytes]          (an empty string means "no filter")
//
// A key's 64-bit hash h picks one 512-bit block from its high 32 bits (multiply-shift
// range reduction) and sets k bits in it. The bit positions come from double hashing
// of the low 32 bits: a = low32(h), b = rotr32(a, 17) | 1, probe i sets bit
// (a + i*b) mod 512 (32-bit wrapping arithmetic); bit j of a block is byte j/8, mask
// 1 << (j%8). One block per key means a lookup touches a single cache line.
#include "store/embedded/bloom_filter.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace vigil {
namespace {

constexpr size_t kBlockBytes = 64;
constexpr uint32_t kBlockBits = kBlockBytes * 8;
constexpr int kMaxProbes = 16;

inline size_t BlockIndex(uint64_t h, size_t nblocks) {
  return static_cast<size_t>(((h >> 32) * static_cast<uint64_t>(nblocks)) >> 32);
}

// Blocked filters fill unevenly, so their best k sits a little below the classic
// bits_per_key * ln 2.
int ProbesFor(int bits_per_key) {
  int k = static_cast<int>(std::lround(bits_per_key * 0.6));
  return std::clamp(k, 1, kMaxProbes);
}

}  // namespace

uint64_t BloomHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

std::string BuildBloom(const std::vector<uint64_t>& hashes, int bits_per_key) {
  if (hashes.empty()) return {};
  bits_per_key = std::clamp(bits_per_key, 1, 64);
  const int k = ProbesFor(bits_per_key);
  const uint64_t bits = static_cast<uint64_t>(hashes.size()) * static_cast<uint64_t>(bits_per_key);
  const size_t nblocks = static_cast<size_t>((bits + kBlockBits - 1) / kBlockBits);
  std::string out(1 + nblocks * kBlockBytes, '\0');
  out[0] = static_cast<char>(k);
  auto* blocks = reinterpret_cast<uint8_t*>(out.data() + 1);
  for (uint64_t h : hashes) {
    uint8_t* block = blocks + BlockIndex(h, nblocks) * kBlockBytes;
    uint32_t a = static_cast<uint32_t>(h);
    const uint32_t b = std::rotr(a, 17) | 1;
    for (int i = 0; i < k; ++i, a += b) {
      uint32_t bit = a % kBlockBits;
      block[bit >> 3] |= static_cast<uint8_t>(1u << (bit & 7));
    }
  }
  return out;
}

bool BloomMayContain(std::string_view filter, uint64_t hash) {
  if (filter.size() < 1 + kBlockBytes || (filter.size() - 1) % kBlockBytes != 0) return true;
  const int k = static_cast<uint8_t>(filter[0]);
  if (k < 1 || k > kMaxProbes) return true;
  const size_t nblocks = (filter.size() - 1) / kBlockBytes;
  const auto* block =
      reinterpret_cast<const uint8_t*>(filter.data() + 1) + BlockIndex(hash, nblocks) * kBlockBytes;
  uint32_t a = static_cast<uint32_t>(hash);
  const uint32_t b = std::rotr(a, 17) | 1;
  for (int i = 0; i < k; ++i, a += b) {
    uint32_t bit = a % kBlockBits;
    if (!((block[bit >> 3] >> (bit & 7)) & 1)) return false;
  }
  return true;
}

}  // namespace vigil
