// Column chunk codec: one typed column's values for one block of rows, encoded by type
// and compressed. Format: docs/formats/part.md ("column chunk").
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

#include "core/batch.h"
#include "core/status.h"

namespace vigil {

// Encodes rows [begin, end) of `col` and appends the chunk bytes to `out`.
// REQUIRES: begin <= end <= col.size(); col.type != kNull. Thread-safe (no shared state).
void EncodeColumnChunk(const Column& col, size_t begin, size_t end, int zstd_level,
                       std::string* out);

// Decodes a chunk of `rows` rows of `type` and appends them to `out` (whose type must be
// `type`). Never crashes or over-allocates on damaged input: returns Corruption instead.
Status DecodeColumnChunk(std::string_view chunk, Type type, size_t rows, Column* out);

}  // namespace vigil
