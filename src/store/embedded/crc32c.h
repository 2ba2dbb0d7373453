// CRC32C (Castagnoli), hardware-accelerated with SSE4.2 when available.
#pragma once
#include <cstddef>
#include <cstdint>

namespace vigil::crc32c {
// Extends `crc` (0 to start) over data[0, n). Thread-safe.
uint32_t Extend(uint32_t crc, const void* data, size_t n);
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
// Masked form stored on disk, so a CRC of data that embeds CRCs is not degenerate.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t Unmask(uint32_t m) {
  uint32_t r = m - 0xa282ead8u;
  return (r >> 17) | (r << 15);
}
namespace internal {
// The table-driven path, whatever the CPU supports; for tests.
uint32_t ExtendPortableForTest(uint32_t crc, const void* data, size_t n);
}  // namespace internal
}  // namespace vigil::crc32c
