// Bloom filters over 64-bit key hashes, stored per block and column in parts.
// Format: docs/formats/column_chunk.md ("Bloom filter").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// Hash of a token or value as used in every bloom filter (XXH3-64, seed 0).
uint64_t BloomHash(std::string_view key);

// Builds a filter for `hashes` (duplicates allowed) at `bits_per_key` (10 gives about
// 1% false positives). Returns the serialized filter; empty input gives an empty string.
std::string BuildBloom(const std::vector<uint64_t>& hashes, int bits_per_key);

// False means the key is certainly absent. A malformed or empty filter answers true
// (cannot exclude). Thread-safe, no allocation.
bool BloomMayContain(std::string_view filter, uint64_t hash);

inline bool IsTokenByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' ||
         u >= 0x80;
}

// Calls fn(token) for each word of `text`: maximal runs of ASCII letters, digits and
// '_' (and any non-ASCII byte), case preserved. Used for word search pruning.
template <typename Fn>
void ForEachToken(std::string_view text, Fn&& fn) {
  size_t i = 0, n = text.size();
  while (i < n) {
    while (i < n && !IsTokenByte(text[i])) ++i;
    size_t start = i;
    while (i < n && IsTokenByte(text[i])) ++i;
    if (i > start) fn(text.substr(start, i - start));
  }
}

}  // namespace vigil
