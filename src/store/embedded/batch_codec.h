// Serialized form of a whole Batch: the WAL record payload.
// Format (docs/formats/wal.md, "batch payload"):
//   [u8 version = 1][varint rows][varint columns]
//   per column: [varint name length][name][u8 type][varint chunk length][column chunk]
// where a column chunk is column_codec's encoding of all rows of that column.
#pragma once

#include <string>
#include <string_view>

#include "core/batch.h"
#include "core/status.h"

namespace vigil {

void EncodeBatch(const Batch& batch, int zstd_level, std::string* out);
// Never crashes on damaged input; returns Corruption instead.
Result<Batch> DecodeBatch(std::string_view in);

}  // namespace vigil
