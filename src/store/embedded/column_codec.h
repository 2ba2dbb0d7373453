// Column chunk codec: one typed column's values for one block of rows, encoded by type
// and compressed. Format: docs/formats/column_chunk.md.
//
// Integers: delta + zigzag varints (timestamps sorted within a tenant delta well).
// Floats: values that are exact decimals with few digits are scaled to integers and
//   delta-encoded; others stored as raw 8 bytes.
// Strings: dictionary when it pays off (low cardinality), canonical UUIDs as 16 raw
//   bytes, otherwise lengths + bytes.
// Validity: omitted when every row is valid, otherwise a bitmap.
// The whole chunk is then zstd-compressed at the given level.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/status.h"

namespace vigil {

// Most rows one chunk may hold (the WAL batch codec's limit too); a decoder refuses
// more, so a damaged row count cannot make it allocate without bound.
inline constexpr size_t kMaxChunkRows = size_t{1} << 28;

// Encodes rows [begin, end) of `col` and appends the chunk bytes to `out`.
// REQUIRES: begin <= end <= col.size(); col.type != kNull; end - begin <= kMaxChunkRows;
// the strings of the range total under 1 GiB; bool values are 0 or 1.
// Thread-safe (per-thread scratch only). `zstd_level` is passed to zstd as is.
void EncodeColumnChunk(const Column& col, size_t begin, size_t end, int zstd_level,
                       std::string* out);

// Decodes a chunk of `rows` rows of `type` and appends them to `out` (whose type must be
// `type`). Never crashes or over-allocates on damaged input: returns Corruption instead,
// and leaves `out` unchanged on any error. InvalidArgument when out->type != type or
// type is kNull. Thread-safe for distinct `out` columns.
Status DecodeColumnChunk(std::string_view chunk, Type type, size_t rows, Column* out);

// Like DecodeColumnChunk, but appends only the rows in `pick` (ascending, each < rows),
// in that order. String values outside `pick` are never copied, so a selective scan pays
// for the rows it returns, not for the block. Same damage guarantees.
Status DecodeColumnChunkRows(std::string_view chunk, Type type, size_t rows,
                             const std::vector<uint32_t>& pick, Column* out);

// Sets *out to the rows of a String chunk whose value contains `needle` (not empty) or,
// with `or_escaped`, has a byte JSON escapes (NeedsJsonEscape): dictionary chunks test
// each entry once, plain chunks search their decompressed values in place, UUID chunks
// only when the needle could be part of one. Corruption on a damaged chunk.
Status FindContainingRows(std::string_view chunk, size_t rows, std::string_view needle,
                          bool or_escaped, std::vector<uint32_t>* out);

// While alive, chunks this thread decompresses are kept (up to 48, in a thread-local
// ring), so decoding the same chunk again in that scope reuses its body: a block scan
// that finds candidate rows in a chunk and then decodes rows of it decompresses it once.
// Scopes nest; the last one to end forgets the bodies. Bodies are found by a 128-bit
// hash of the compressed chunk. Not movable; create on the stack.
class ChunkMemo {
 public:
  ChunkMemo();
  ~ChunkMemo();
  ChunkMemo(const ChunkMemo&) = delete;
  ChunkMemo& operator=(const ChunkMemo&) = delete;
};

// Appends to *out (cleared first) the rows of a String chunk whose value equals
// `literal`, comparing on the encoded form where it can (UUID chunks: 16 raw bytes) so
// that a point lookup does not materialize the block's strings.
Status FindEqualRows(std::string_view chunk, size_t rows, std::string_view literal,
                     std::vector<uint32_t>* out);

}  // namespace vigil
